package jobkinds

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
)

// Bad parameters are refused before a job exists, the error naming the field.
func TestDisktestParamsRefuseBadValuesNamingTheField(t *testing.T) {
	for _, c := range []struct{ params, want string }{
		{`{"engine":"dd"}`, `engine: unknown engine "dd"`},
		{`{"profile":"huge"}`, `profile: unknown profile "huge"`},
		{`{"block_size":-1}`, "block_size: must be 0"},
		{`{"block_size":17000000}`, "block_size: must be 0"},
		{`{"size":2000000000000}`, "size: must be 0"},
		{`{"block_size":8000,"size":4000}`, "size: must be at least block_size (8000 bytes)"},
		{`{"duration":"soon"}`, "duration: not a valid duration"},
		{`{"duration":"50ms"}`, "duration: must be empty (size-based) or between 100ms and 1d"},
		{`{"duration":"` + strings.Repeat("1", 40) + `s"}`, "duration: longer than 32 characters"},
		{`{"threshold":-0.01}`, "threshold: must be 0"},
		{`{"threshold":11}`, "threshold: must be 0"},
		{`{"member":"` + strings.Repeat("m", 300) + `"}`, "member: longer than 256 characters"},
		{`{"member":5}`, "member: want string"},
		{`{"dir":"/etc"}`, "dir: unknown parameter"},
		{`{"url":"http://evil:9102"}`, "url: unknown parameter"},
		{`[1]`, "parameters: want a JSON object"},
	} {
		_, err := parseDisktestParams(json.RawMessage(c.params))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.params, err, c.want)
		}
	}
	p, err := parseDisktestParams(json.RawMessage(`{"member":"infra0","engine":"fio","profile":"openshift","block_size":8000,"size":8000000,"duration":"30s","threshold":0.02}`))
	if err != nil || p.duration != 30*time.Second || p.request().Engine != "fio" || p.request().Duration != "30s" {
		t.Fatalf("valid parameters: %+v, %v", p, err)
	}
}

// Admit refuses a member without an agent, a cluster without agents and a probe longer than
// an agent's timeout, as bad parameters (400), naming the member.
func TestDisktestAdmitNeedsAnAgentForTheMember(t *testing.T) {
	agents := []clusterconfig.DiskAgent{
		{Member: "infra0", URL: "http://127.0.0.1:9102", Timeout: model.Duration(time.Minute)},
		{Member: "infra1", URL: "http://127.0.0.2:9102", Timeout: model.Duration(10 * time.Minute)},
	}
	d := Deps{DiskAgents: func(cluster string) []clusterconfig.DiskAgent {
		if cluster == "prod" {
			return agents
		}
		return nil
	}}.withDefaults()
	for _, c := range []struct{ cluster, params, want string }{
		{"prod", `{"member":"infra9"}`, `member: no disk agent for member "infra9" in cluster "prod" (agents: [infra0 infra1])`},
		{"dev", `{}`, `member: cluster "dev" has no disk_agents configured`},
		{"prod", `{"duration":"2m"}`, "duration: 2m is not shorter than the timeout (1m) of member infra0's disk agent"},
		{"prod", `{"engine":"x"}`, "engine: unknown engine"},
	} {
		err := d.admitDisktest(c.cluster, json.RawMessage(c.params))
		if err == nil || err.Error() != c.want && !strings.HasPrefix(err.Error(), c.want) || !errors.Is(err, jobs.ErrInvalidParameters) {
			t.Errorf("%s %s: %v, want invalid parameters %q", c.cluster, c.params, err, c.want)
		}
	}
	for _, params := range []string{`{}`, `{"member":"infra1","duration":"2m"}`} {
		if err := d.admitDisktest("prod", json.RawMessage(params)); err != nil {
			t.Errorf("%s: %v", params, err)
		}
	}
	if got, _ := d.disktestAgents("prod", disktestParams{}); len(got) != 2 || got[0].Member != "infra0" {
		t.Errorf("every member's agent, in configuration order: %+v", got)
	}
}
