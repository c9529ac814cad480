package slo

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

// TestBuiltinProfilesAreCheckPerfs pins the profiles to etcdctl 3.7.3's check perf
// (ctlv3/command/check.go): limit, clients and 60 s, 256-byte keys and 1 KiB values.
func TestBuiltinProfilesAreCheckPerfs(t *testing.T) {
	want := map[string][2]string{"s": {"150", "50"}, "m": {"1000", "200"}, "l": {"8000", "500"}, "xl": {"15000", "1000"}}
	for name, w := range want {
		p, err := Lookup(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Runs) != 1 {
			t.Fatalf("%s: %d runs, want 1", name, len(p.Runs))
		}
		s := p.Runs[0]
		if s.Command != "put" || s.Flags["rate"] != w[0] || s.Flags["clients"] != w[1] || s.Flags["conns"] != w[1] ||
			s.Flags["key-size"] != "256" || s.Flags["val-size"] != "1024" || s.Duration != time.Minute {
			t.Errorf("%s: step %+v", name, s)
		}
		if p.Rules != checkPerfRules {
			t.Errorf("%s: rules %+v", name, p.Rules)
		}
		rate, _ := strconv.Atoi(w[0])
		if got := s.Options("").Flags["total"]; got != strconv.Itoa(rate*60) {
			t.Errorf("%s: total %s, want rate × 60 s", name, got)
		}
	}
	if checkPerfRules.MinThroughputRatio != 0.9 || checkPerfRules.MaxSlowest != 500*time.Millisecond ||
		checkPerfRules.MaxStddev != 100*time.Millisecond || checkPerfRules.MaxErrors != 0 {
		t.Errorf("check perf's rules: %+v", checkPerfRules)
	}
}

func TestBuiltinProfilesAreValidEngineRuns(t *testing.T) {
	for _, p := range Builtin() {
		for i, s := range p.Runs {
			if err := benchrunner.Validate(s.Options("")); err != nil {
				t.Errorf("%s run %d: %v", p.Name, i+1, err)
			}
		}
	}
}

func TestK8sLargeProfile(t *testing.T) {
	p, err := Lookup("k8s-large", nil)
	if err != nil {
		t.Fatal(err)
	}
	rates := map[string]string{}
	for _, s := range p.Runs {
		rates[s.Command] = s.Flags["rate"]
	}
	if rates["put"] != "20000" || rates["range"] != "40000" || p.Rules.MaxP99 != 100*time.Millisecond {
		t.Errorf("k8s-large: rates %v, rules %+v", rates, p.Rules)
	}
}

func TestStepOptionsTurnDurationIntoTotal(t *testing.T) {
	s := Step{Command: "put", Flags: map[string]string{"rate": "150"}, Duration: time.Minute}
	if o := s.Options("/p/"); o.Flags["total"] != "9000" || o.Prefix != "/p/" {
		t.Errorf("options %+v, want total 9000 under /p/", o)
	}
	if s.Flags["total"] != "" {
		t.Error("Options must not change the step's own flags")
	}
	r := Step{Command: "range", Flags: map[string]string{"rate": "10"}}
	if o := r.Options("/p/"); len(o.Args) != 2 || o.Args[0] != "/p/" || o.Args[1] != "/p0" {
		t.Errorf("a range step without a key reads the prefix: args %q", o.Args)
	}
}

func TestLookupFindsLongNamesAndCustomProfiles(t *testing.T) {
	if p, err := Lookup("xLarge", nil); err != nil || p.Name != "xl" {
		t.Errorf("xLarge: %v %v", p.Name, err)
	}
	custom := []Profile{{Name: "s", Description: "our own s"}}
	if p, _ := Lookup("s", custom); p.Description != "our own s" {
		t.Error("a custom profile should replace a built-in one of its name")
	}
	_, err := Lookup("huge", custom)
	if err == nil || !strings.Contains(err.Error(), `profile "huge"`) || !strings.Contains(err.Error(), "k8s-large, l, m, s, s, xl") {
		t.Errorf("unknown profile: %v", err)
	}
}
