package opsproxy

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// noWorkers keeps enqueued jobs queued: a check perf job would put load on the shared etcd for
// a minute, and what is tested here is the console's enqueueing.
const noWorkers = "queue:\n  workers: 0\n"

// benchmarkParameters decodes a benchmark job's parameters.
func benchmarkParameters(t *testing.T, j *store.Job) (p struct {
	Profile string `json:"profile"`
	Force   bool   `json:"force"`
}) {
	t.Helper()
	if err := json.Unmarshal(j.Parameters, &p); err != nil {
		t.Fatalf("job parameters %s: %v", j.Parameters, err)
	}
	return p
}

func TestConsoleCheckPerfEnqueuesABenchmarkJob(t *testing.T) {
	e := newEnv(t, envOptions{extra: noWorkers})
	r, a := e.console(t, e.admin, "check perf")
	if r.status != http.StatusOK || a.ExitCode != 0 || a.Job == nil || a.Job.Kind != "benchmark" || a.Job.Cluster != "c1" ||
		a.Operation != "jobs.enqueue" {
		t.Fatalf("check perf: %d %+v", r.status, a)
	}
	if p := benchmarkParameters(t, a.Job); p.Profile != "s" || p.Force {
		t.Fatalf("check perf's job parameters %s, want profile s without force", a.Job.Parameters)
	}
	for _, want := range []string{"/api/v1/jobs/" + a.Job.ID, "Jobs page", "/etcd-monitor-bench/job-" + a.Job.ID + "/"} {
		if !strings.Contains(a.Stdout, want) {
			t.Errorf("stdout %q lacks %q", a.Stdout, want)
		}
	}
	var res store.Job
	if err := json.Unmarshal(a.Result, &res); err != nil || res.ID != a.Job.ID {
		t.Errorf("result %s: want the job (%v)", a.Result, err)
	}
	recs := e.audit(t, r.header.Get("X-Request-Id"), 2)
	for _, rec := range recs {
		if rec.Operation != "jobs.enqueue" || rec.Command != "check perf" || string(rec.Key) != a.Job.ID || rec.Cluster != "c1" {
			t.Errorf("check perf audited as %+v", rec)
		}
	}
	got := e.call(t, http.MethodGet, "/api/v1/jobs/"+a.Job.ID, e.admin, nil)
	if got.status != http.StatusOK {
		t.Fatalf("GET the job the answer names: %d %s", got.status, got.body)
	}

	// etcdctl's long names of its loads, and k8s-large, which etcdctl does not have.
	for line, profile := range map[string]string{"check perf --load=xLarge": "xLarge", "check perf --load k8s-large -w json": "k8s-large"} {
		r, a := e.console(t, e.admin, line)
		if r.status != http.StatusOK || a.Job == nil || benchmarkParameters(t, a.Job).Profile != profile {
			t.Errorf("%s: %d %+v", line, r.status, a)
		}
	}
}

// A viewer, and an admin of another cluster, are refused and audited; bad flags are refused
// before anything is enqueued, naming the flag.
func TestConsoleCheckPerfRefusesRolesOtherClustersAndBadFlags(t *testing.T) {
	e := newEnv(t, envOptions{extra: noWorkers})
	viewer := e.token(t, TokenSpec{Name: "perf-viewer", Role: "viewer"})
	elsewhere := e.token(t, TokenSpec{Name: "perf-elsewhere", Role: "admin", Clusters: []string{"c2"}})
	for _, c := range []struct {
		who, token, want string
	}{
		{"viewer", viewer, "viewer"},
		{"admin of c2", elsewhere, `"c1"`},
	} {
		r, a := e.console(t, c.token, "check perf --load=m")
		if r.status != http.StatusForbidden || a.ExitCode != 1 || !strings.Contains(a.Error, c.want) {
			t.Errorf("%s: %d %+v, want 403 naming %s", c.who, r.status, a, c.want)
			continue
		}
		rec := e.audit(t, r.header.Get("X-Request-Id"), 1)[0]
		if rec.Outcome != store.OutcomeDenied || rec.Operation != "jobs.enqueue" || rec.Command != "check perf --load=m" {
			t.Errorf("%s audited as %s %s %q", c.who, rec.Outcome, rec.Operation, rec.Command)
		}
		if strings.Contains(string(mustJSON(t, rec)), c.token) || strings.Contains(string(r.body), c.token) {
			t.Errorf("%s: the token is in the audit record or the answer", c.who)
		}
	}
	for _, c := range []struct {
		line string
		exit int
		want []string
	}{
		{"check perf --load=xxl", 4, []string{"--load", `"xxl"`, "k8s-large"}},
		{"check perf --load=" + strings.Repeat("s", 300), 4, []string{"--load", "longer than 256"}},
		{"check perf --prefix=/mine/", 128, []string{"--prefix", "own prefix", "/etcd-monitor-bench/job-"}},
		{"check perf --auto-compact", 128, []string{"--auto-compact", "compaction"}},
		{"check perf --auto-defrag", 128, []string{"--auto-defrag", "defrag"}},
		{"check perf now", 128, []string{"accepts no arguments"}},
		{"check", 1, []string{"check needs a subcommand: perf"}},
		{"check perf --load", 1, []string{"flag needs an argument", "load"}},
	} {
		r, a := e.console(t, e.admin, c.line)
		if r.status != http.StatusBadRequest || a.ExitCode != c.exit {
			t.Errorf("%.60s: %d %+v, want 400 exit %d", c.line, r.status, a, c.exit)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(a.Error, w) {
				t.Errorf("%.60s: %q lacks %q", c.line, a.Error, w)
			}
		}
	}
	if list := e.call(t, http.MethodGet, "/api/v1/jobs?kind=benchmark", e.admin, nil); list.status != http.StatusOK ||
		strings.Contains(string(list.body), `"kind":"benchmark"`) {
		t.Fatalf("a refused check perf left a job: %d %s", list.status, list.body)
	}
}

// On a protected cluster check perf answers as the jobs API does, 409, unless --force is given.
func TestConsoleCheckPerfOnAProtectedClusterNeedsForce(t *testing.T) {
	e := newEnv(t, envOptions{extra: noWorkers, configure: func(c *Config) { c.Clusters[0].Protected = true }})
	r, a := e.console(t, e.admin, "check perf")
	if r.status != http.StatusConflict || a.ExitCode != 1 || !strings.Contains(a.Error, "protected") || !strings.Contains(a.Error, "--force") {
		t.Fatalf("unforced: %d %+v", r.status, a)
	}
	rec := e.audit(t, r.header.Get("X-Request-Id"), 1)[0]
	if rec.Outcome != store.OutcomeFailed || rec.Command != "check perf" || len(rec.Key) != 0 {
		t.Fatalf("refused check perf audited as %+v", rec)
	}
	r, a = e.console(t, e.admin, "check perf --force")
	if r.status != http.StatusOK || a.Job == nil || !benchmarkParameters(t, a.Job).Force {
		t.Fatalf("forced: %d %+v", r.status, a)
	}
	if rec := e.audit(t, r.header.Get("X-Request-Id"), 2)[0]; rec.Command != "check perf --force" {
		t.Fatalf("forced check perf audited as %+v", rec)
	}
}

// With the history store down, check perf is refused (503, exit 2) and no job is recorded.
func TestConsoleCheckPerfRefusedWhileTheStoreIsDown(t *testing.T) {
	st, proxy := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st, extra: noWorkers})
	e.storeDown(t, proxy)
	r, a := e.console(t, e.admin, "check perf")
	if r.status != http.StatusServiceUnavailable || a.ExitCode != 2 || a.Job != nil {
		t.Fatalf("check perf while the store is down: %d %+v", r.status, a)
	}
	if strings.Contains(string(r.body), "dial tcp") {
		t.Fatalf("the answer holds the driver's text: %s", r.body)
	}
}

// A check perf of a small profile configured in opsproxy runs to its verdict on a worker, and
// the answer's job is the one that ran.
func TestConsoleCheckPerfOfAConfiguredProfileRunsToItsVerdict(t *testing.T) {
	profiles := filepath.Join(t.TempDir(), "profiles.yml")
	yml := "profiles:\n  - name: tiny\n    runs:\n      - command: put\n        flags: {total: \"50\", clients: \"2\", conns: \"1\"}\n    rules:\n      min_throughput: 1\n"
	if err := os.WriteFile(profiles, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{extra: jobsQueue + "benchmarks:\n  profiles_file: " + profiles + "\n"})
	r, a := e.console(t, e.admin, "check perf --load=tiny")
	if r.status != http.StatusOK || a.Job == nil {
		t.Fatalf("check perf --load=tiny: %d %+v", r.status, a)
	}
	j := e.waitJob(t, e.admin, a.Job.ID, func(j store.Job) bool { return j.Status.Final() })
	var res struct {
		Profile string   `json:"profile"`
		Results []string `json:"results"`
		Verdict *struct {
			Pass bool `json:"pass"`
		} `json:"verdict"`
	}
	if j.Status != store.JobSucceeded || json.Unmarshal(j.Result, &res) != nil || res.Profile != "tiny" || len(res.Results) != 1 || res.Verdict == nil {
		t.Fatalf("job %s %s: result %s", j.Status, j.Error, j.Result)
	}
	if got, err := e.etcdClient(t).Get(t.Context(), "/etcd-monitor-bench/job-"+j.ID+"/", clientv3.WithPrefix(), clientv3.WithCountOnly()); err != nil || got.Count != 0 {
		t.Fatalf("keys left under the job's prefix: %v %v", got, err)
	}
}
