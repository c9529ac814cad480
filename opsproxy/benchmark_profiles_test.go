package opsproxy

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/benchapi"
)

// profilesEnv serves c1 and c2 with a global profiles file (tiny, impossible to pass, and an
// s of its own) and a file of c1's (a tiny that passes, and c1only).
func profilesEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	global := filepath.Join(dir, "global.yml")
	own := filepath.Join(dir, "c1.yml")
	step := "    runs:\n      - command: put\n        flags: {total: \"50\", clients: \"2\", conns: \"1\"}\n"
	write := func(path, yml string) {
		if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(global, "profiles:\n  - name: tiny\n    description: global tiny\n"+step+"    rules:\n      min_throughput: 1000000000\n"+
		"  - name: s\n    description: global s\n"+step)
	write(own, "profiles:\n  - name: tiny\n    description: c1 tiny\n"+step+"    rules:\n      min_throughput: 1\n"+
		"  - name: c1only\n    description: only on c1\n"+step)
	// c2 is c1's etcd under a second name.
	addC2 := func(c *Config) {
		c2 := c.Clusters[0]
		c2.Name = "c2"
		c.Clusters = append(c.Clusters, c2)
	}
	return newEnv(t, envOptions{configure: addC2, extra: jobsQueue + "benchmarks:\n  profiles_file: " + global + "\n  clusters:\n    c1:\n      profiles_file: " + own + "\n"})
}

// listedProfiles are the profiles GET /clusters/{cluster}/benchmark-profiles answers, by name.
func listedProfiles(t *testing.T, e *env, cluster, token string) map[string]benchapi.Profile {
	t.Helper()
	r := e.call(t, "GET", "/api/v1/clusters/"+cluster+"/benchmark-profiles", token, nil)
	if r.status != http.StatusOK {
		t.Fatalf("%s's profiles: %d %s", cluster, r.status, r.body)
	}
	var list benchapi.ProfileList
	r.json(t, &list)
	out := map[string]benchapi.Profile{}
	for _, p := range list.Profiles {
		out[p.Name] = p
	}
	return out
}

// A cluster's profile overrides the global one and a built-in of its name there only; the
// listing says where each comes from.
func TestBenchmarkProfilesAreLayeredPerCluster(t *testing.T) {
	e := profilesEnv(t)
	viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})
	c1 := listedProfiles(t, e, "c1", viewer)
	for name, want := range map[string]string{"tiny": "cluster", "c1only": "cluster", "s": "config", "m": "builtin", "k8s-large": "builtin"} {
		if c1[name].Source != want {
			t.Errorf("c1's %s: source %q, want %q", name, c1[name].Source, want)
		}
	}
	if c1["tiny"].Description != "c1 tiny" || c1["tiny"].Rules.MinThroughput != 1 || len(c1["tiny"].Steps) != 1 || c1["tiny"].Steps[0].Command != "put" {
		t.Errorf("c1's tiny %+v, want c1's own", c1["tiny"])
	}
	if m := c1["m"]; len(m.Steps) == 0 || m.Steps[0].Rate <= 0 || m.Steps[0].DurationSeconds <= 0 || m.Rules.MinThroughputRatio <= 0 {
		t.Errorf("built-in m %+v, want its steps' rate and duration and its rules", m)
	}
	c2 := listedProfiles(t, e, "c2", viewer)
	if _, ok := c2["c1only"]; ok {
		t.Error("c2 offers c1's own profile")
	}
	if c2["tiny"].Source != "config" || c2["tiny"].Description != "global tiny" || c2["s"].Source != "config" {
		t.Errorf("c2's tiny %+v and s %+v, want the global file's", c2["tiny"], c2["s"])
	}

	// The job on c1 runs c1's tiny (which passes), not the global one (which cannot).
	j := e.enqueue(t, e.admin, map[string]any{"kind": "benchmark", "cluster": "c1", "parameters": json.RawMessage(`{"profile":"tiny"}`)}, http.StatusAccepted)
	j = e.waitJob(t, e.admin, j.ID, func(j store.Job) bool { return j.Status.Final() })
	var res struct {
		Verdict *struct {
			Pass bool `json:"pass"`
		} `json:"verdict"`
	}
	if j.Status != store.JobSucceeded || json.Unmarshal(j.Result, &res) != nil || res.Verdict == nil || !res.Verdict.Pass {
		t.Fatalf("c1's tiny: %s %q %s, want a passing verdict", j.Status, j.Error, j.Result)
	}
}

// A profile only c1 offers is a bad parameter on c2, as a job, a schedule and a console
// check perf; the listing
// refuses tokens of other clusters and clusters not configured.
func TestBenchmarkProfilesRefuseOtherClustersAndUnknownOnes(t *testing.T) {
	e := profilesEnv(t)
	elsewhere := e.token(t, TokenSpec{Name: "elsewhere", Role: "admin", Clusters: []string{"c2"}})
	c2Job := map[string]any{"kind": "benchmark", "cluster": "c2", "parameters": json.RawMessage(`{"profile":"c1only"}`)}
	c2Schedule := map[string]any{"name": "nightly", "kind": "benchmark", "cluster": "c2", "cron": "@daily", "parameters": json.RawMessage(`{"profile":"c1only"}`)}
	for _, c := range []struct {
		what, method, path, token string
		body                      any
		status                    int
		want                      string
	}{
		{"c1's profile on c2", "POST", "/api/v1/jobs", e.admin, c2Job, 400, `profile "c1only"`},
		{"c1's profile scheduled on c2", "POST", "/api/v1/schedules", e.admin, c2Schedule, 400, `profile "c1only"`},
		{"c1's profile by the console on c2", "POST", "/api/v1/clusters/c2/console", e.admin, map[string]string{"line": "check perf --load=c1only"}, 400, `profile "c1only"`},
		{"other cluster's token lists c1's", "GET", "/api/v1/clusters/c1/benchmark-profiles", elsewhere, nil, 403, `cluster "c1"`},
		{"unknown cluster", "GET", "/api/v1/clusters/zz/benchmark-profiles", e.admin, nil, 404, "no cluster"},
		{"oversized cluster name", "GET", "/api/v1/clusters/" + strings.Repeat("c", 4096) + "/benchmark-profiles", e.admin, nil, 404, "no cluster"},
		{"no token", "GET", "/api/v1/clusters/c1/benchmark-profiles", "", nil, 401, ""},
	} {
		r := e.call(t, c.method, c.path, c.token, c.body)
		if r.status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.what, r.status, c.status, r.body)
			continue
		}
		if c.want != "" && !strings.Contains(r.errorText(t), c.want) {
			t.Errorf("%s: %s, want %q", c.what, r.body, c.want)
		}
	}
	if got := listedProfiles(t, e, "c2", elsewhere); len(got) == 0 {
		t.Error("c2's token lists no profile of c2")
	}
}

// A reload that gives c1 a profiles file of its own offers its profiles at once; one that names
// a cluster not configured is refused, naming the field, and the served profiles stay.
func TestReloadAppliesClusterBenchmarkProfiles(t *testing.T) {
	e := newEnv(t, envOptions{})
	if _, ok := listedProfiles(t, e, "c1", e.admin)["nightly"]; ok {
		t.Fatal("c1 offers nightly before any file names it")
	}
	own := filepath.Join(t.TempDir(), "c1.yml")
	yml := "profiles:\n  - name: nightly\n    runs:\n      - command: put\n        flags: {total: \"50\"}\n"
	if err := os.WriteFile(own, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	c1 := entry("c1", e.etcd, "5s")
	e.rewrite(t, c1, "benchmarks:\n  clusters:\n    c1:\n      profiles_file: "+own+"\n")
	if r, _ := e.reload(t); r.status != http.StatusOK {
		t.Fatalf("reload: %d %s", r.status, r.body)
	}
	if p := listedProfiles(t, e, "c1", e.admin)["nightly"]; p.Source != "cluster" {
		t.Fatalf("c1's nightly after the reload: %+v", p)
	}
	e.rewrite(t, c1, "benchmarks:\n  clusters:\n    zz:\n      profiles_file: "+own+"\n")
	if r, _ := e.reload(t); r.status == http.StatusOK || !strings.Contains(string(r.body), "benchmarks.clusters.zz: no cluster of that name") {
		t.Fatalf("reload naming zz: %d %s", r.status, r.body)
	}
	if p := listedProfiles(t, e, "c1", e.admin)["nightly"]; p.Source != "cluster" {
		t.Fatalf("c1's nightly after a refused reload: %+v", p)
	}
}
