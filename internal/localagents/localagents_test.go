package localagents

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
)

func TestAgentsProbeTheirOwnDirectoriesAndLeaveNothingBehind(t *testing.T) {
	dir := t.TempDir()
	s, err := Start(Options{Dir: dir, Members: []string{"m0", "m1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := "    disk_agents:\n      - member: m0\n        url: " + s.Agents[0].URL + "\n      - member: m1\n        url: " + s.Agents[1].URL + "\n"
	if got := s.YAML("    "); got != want {
		t.Errorf("YAML:\n%s\nwant:\n%s", got, want)
	}

	resp, err := http.Post(s.Agents[1].URL+"/probe", "application/json", strings.NewReader(`{"profile":"agent"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res diskprobe.Result
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /probe: %d %v", resp.StatusCode, err)
	}
	if res.Job.Profile != "agent" || res.Syncs == 0 || res.Verdict == "" || !strings.HasPrefix(res.Dir, filepath.Join(dir, "m1")) {
		t.Errorf("probe of m1: profile %q, %d syncs, verdict %q in %s", res.Job.Profile, res.Syncs, res.Verdict, res.Dir)
	}
	s.Close()
	for _, m := range []string{"m0", "m1"} {
		left, err := os.ReadDir(filepath.Join(dir, m))
		if err != nil || len(left) != 0 {
			t.Errorf("%s's directory after the probe: %v %v, want it empty", m, left, err)
		}
	}
	if _, err := http.Get(s.Agents[0].URL + "/-/healthy"); err == nil {
		t.Error("an agent still answers after Close")
	}
}

func TestStartRefusesNoMembersAndAnUnusableDirectory(t *testing.T) {
	if _, err := Start(Options{Dir: t.TempDir()}); err == nil || err.Error() != "members: none given" {
		t.Errorf("no members: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Start(Options{Dir: file, Members: []string{"m0"}})
	if err == nil || !strings.HasPrefix(err.Error(), "agent of m0: ") {
		t.Errorf("a file as the directory: %v", err)
	}
}
