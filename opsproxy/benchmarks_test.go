package opsproxy

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/benchapi"
)

// benchJob is a small put benchmark on c1.
func benchJob(params string) map[string]any {
	return map[string]any{"kind": "benchmark", "cluster": "c1", "parameters": json.RawMessage(params)}
}

// runBenchmark runs a small benchmark job on c1 and returns its stored run's id.
func (e *env) runBenchmark(t *testing.T, params string) string {
	t.Helper()
	j := e.enqueue(t, e.admin, benchJob(params), http.StatusAccepted)
	j = e.waitJob(t, e.admin, j.ID, func(j store.Job) bool { return j.Status.Final() })
	if j.Status != store.JobSucceeded {
		t.Fatalf("benchmark job %s: %s", j.Status, j.Error)
	}
	var res struct {
		Results []string `json:"results"`
	}
	if err := json.Unmarshal(j.Result, &res); err != nil || len(res.Results) != 1 {
		t.Fatalf("job result %s", j.Result)
	}
	return res.Results[0]
}

func TestBenchmarksRunListCompareAndBaselineThroughTheAPI(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind, extra: jobsQueue})
			first := e.runBenchmark(t, `{"command":"put","flags":{"total":"200","clients":"2"}}`)
			second := e.runBenchmark(t, `{"command":"put","flags":{"total":"200","clients":"2"}}`)

			var list struct{ Benchmarks []benchapi.Summary }
			r := e.call(t, "GET", "/api/v1/benchmarks?cluster=c1&profile=custom&limit=10", e.admin, nil)
			if r.status != 200 {
				t.Fatalf("list: %d %s", r.status, r.body)
			}
			r.json(t, &list)
			if len(list.Benchmarks) != 2 || list.Benchmarks[0].ID != second || list.Benchmarks[1].ID != first ||
				list.Benchmarks[0].Requests != 200 || list.Benchmarks[0].Command != "put" || list.Benchmarks[0].Throughput <= 0 {
				t.Fatalf("list %s", r.body)
			}
			var run benchapi.Run
			r = e.call(t, "GET", "/api/v1/benchmarks/"+first, e.admin, nil)
			r.json(t, &run)
			if r.status != 200 || run.Report.Requests != 200 || run.Report.Latency.Percentiles["99"] <= 0 || run.Parameters.Flags["total"] != "200" {
				t.Fatalf("get: %d %s", r.status, r.body)
			}

			viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})
			r = e.call(t, "PUT", "/api/v1/clusters/c1/baselines/release-1", viewer, map[string]string{"result_id": first})
			if r.status != http.StatusForbidden {
				t.Fatalf("viewer sets a baseline: %d %s", r.status, r.body)
			}
			// Refused before the handler, the record still names the path's cluster.
			if recs := e.audit(t, r.header.Get("X-Request-Id"), 1); recs[0].Cluster != "c1" || recs[0].Outcome != store.OutcomeDenied {
				t.Fatalf("the viewer's refused baseline audited as %+v, want denied on c1", recs[0])
			}
			r = e.call(t, "PUT", "/api/v1/clusters/c1/baselines/release-1", e.admin, map[string]string{"result_id": first})
			var b benchapi.Baseline
			r.json(t, &b)
			if r.status != 200 || b.Run.ID != first || b.Name != "release-1" || b.SetBy != "test-admin" {
				t.Fatalf("set baseline: %d %s", r.status, r.body)
			}
			// The outcome of a change is committed just after the answer.
			eventually(t, "the baseline's audit record", func() bool {
				for _, rec := range e.allAudit(t) {
					if rec.Operation == "benchmarks.baseline.set" && rec.Outcome == store.OutcomeSucceeded && string(rec.Key) == "release-1" && rec.Cluster == "c1" {
						return true
					}
				}
				return false
			})
			r = e.call(t, "GET", "/api/v1/clusters/c1/baselines/release-1", viewer, nil)
			if r.json(t, &b); r.status != 200 || b.Run.ID != first {
				t.Fatalf("get baseline: %d %s", r.status, r.body)
			}

			for _, q := range []string{"baseline=release-1", "against=" + first} {
				var cmp benchapi.Comparison
				r = e.call(t, "GET", "/api/v1/benchmarks/"+second+"/compare?"+q, viewer, nil)
				r.json(t, &cmp)
				if r.status != 200 || cmp.Run.ID != second || cmp.Baseline.ID != first || len(cmp.Results) != 2 ||
					(cmp.Verdict != "regressed" && cmp.Verdict != "improved" && cmp.Verdict != "unchanged") {
					t.Fatalf("compare ?%s: %d %s", q, r.status, r.body)
				}
			}

			_, mfs := scrape(t, e)
			if v := value(mfs, "etcd_monitor_benchmark_throughput", "cluster", "c1", "command", "put", "profile", "custom"); v <= 0 {
				t.Fatalf("etcd_monitor_benchmark_throughput = %v", v)
			}
			if v := value(mfs, "etcd_monitor_benchmark_regressed", "baseline", "release-1", "cluster", "c1", "command", "put", "profile", "custom"); v != 0 && v != 1 {
				t.Fatalf("etcd_monitor_benchmark_regressed = %v", v)
			}
		})
	}
}

// Attacks on the benchmarks area: roles, other clusters' tokens, bad and oversized input.
func TestBenchmarksRefuseOtherClustersLowerRolesAndBadInput(t *testing.T) {
	e := newEnv(t, envOptions{extra: jobsQueue})
	id := e.runBenchmark(t, `{"command":"put","flags":{"total":"50"}}`)
	viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})
	elsewhere := e.token(t, TokenSpec{Name: "elsewhere", Role: "admin", Clusters: []string{"c2"}})
	long := strings.Repeat("9", 300)
	for _, c := range []struct {
		what, method, path, token string
		body                      any
		status                    int
		want                      string
	}{
		{"viewer starts a run", "POST", "/api/v1/jobs", viewer, benchJob(`{"command":"put"}`), 403, "enqueue benchmark jobs"},
		{"other cluster's admin starts a run", "POST", "/api/v1/jobs", elsewhere, benchJob(`{"command":"put"}`), 403, `cluster "c1"`},
		{"other cluster's token reads a run", "GET", "/api/v1/benchmarks/" + id, elsewhere, nil, 404, "no benchmark"},
		{"other cluster's token compares", "GET", "/api/v1/benchmarks/" + id + "/compare?against=" + id, elsewhere, nil, 404, "no benchmark"},
		{"other cluster's token lists c1", "GET", "/api/v1/benchmarks?cluster=c1", elsewhere, nil, 403, `cluster "c1"`},
		{"other cluster's token reads a baseline", "GET", "/api/v1/clusters/c1/baselines/b", elsewhere, nil, 403, `cluster "c1"`},
		{"other cluster's token sets a baseline", "PUT", "/api/v1/clusters/c1/baselines/b", elsewhere, map[string]string{"result_id": id}, 403, `cluster "c1"`},
		{"bad flag value", "POST", "/api/v1/jobs", e.admin, benchJob(`{"command":"put","flags":{"total":"0"}}`), 400, "--total: must be positive"},
		{"unknown flag", "POST", "/api/v1/jobs", e.admin, benchJob(`{"command":"put","flags":{"endpoints":"http://evil:2379"}}`), 400, "unknown flag: --endpoints"},
		{"oversized flag", "POST", "/api/v1/jobs", e.admin, benchJob(`{"command":"put","flags":{"total":"` + long + `"}}`), 400, "flags.total: longer than 256"},
		{"oversized body", "POST", "/api/v1/jobs", e.admin, `{"kind":"benchmark","cluster":"c1","parameters":{"command":"put","args":["` + strings.Repeat("k", 70<<10) + `"]}}`, 413, ""},
		{"unknown profile", "POST", "/api/v1/jobs", e.admin, benchJob(`{"profile":"xxl"}`), 400, `profile "xxl"`},
		{"limit too large", "GET", "/api/v1/benchmarks?limit=100000", viewer, nil, 400, "limit: at most"},
		{"no such run", "GET", "/api/v1/benchmarks/nope", viewer, nil, 404, "no benchmark"},
		{"compare without a baseline", "GET", "/api/v1/benchmarks/" + id + "/compare", viewer, nil, 400, "baseline: give either"},
		{"compare with an unknown baseline", "GET", "/api/v1/benchmarks/" + id + "/compare?baseline=none", viewer, nil, 404, "not found"},
		{"bad baseline name", "PUT", "/api/v1/clusters/c1/baselines/a%20b", e.admin, map[string]string{"result_id": id}, 400, "name: want letters"},
		{"baseline of an unknown run", "PUT", "/api/v1/clusters/c1/baselines/b", e.admin, map[string]string{"result_id": "nope"}, 404, "result_id: no benchmark"},
		{"baseline body oversized", "PUT", "/api/v1/clusters/c1/baselines/b", e.admin, `{"result_id":"` + strings.Repeat("x", 8<<10) + `"}`, 413, ""},
		{"baseline of an unknown cluster", "PUT", "/api/v1/clusters/zz/baselines/b", e.admin, map[string]string{"result_id": id}, 404, "no cluster"},
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
}

func TestBenchmarkOnAProtectedClusterNeedsForce(t *testing.T) {
	e := newEnv(t, envOptions{extra: jobsQueue, configure: func(c *Config) { c.Clusters[0].Protected = true }})
	r := e.call(t, "POST", "/api/v1/jobs", e.admin, benchJob(`{"command":"put","flags":{"total":"20"}}`))
	if r.status != http.StatusConflict || !strings.Contains(r.errorText(t), "force: true") {
		t.Fatalf("unforced: %d %s", r.status, r.body)
	}
	// A schedule of unforced benchmarks is refused when it is created, not at each slot.
	sched := map[string]any{"name": "nightly", "kind": "benchmark", "cluster": "c1", "cron": "@daily",
		"parameters": map[string]any{"command": "put", "flags": map[string]string{"total": "20"}}}
	if r := e.call(t, "POST", "/api/v1/schedules", e.admin, sched); r.status != http.StatusConflict || !strings.Contains(r.errorText(t), "force: true") {
		t.Fatalf("unforced schedule: %d %s", r.status, r.body)
	}
	sched["parameters"].(map[string]any)["force"] = true
	if r := e.call(t, "POST", "/api/v1/schedules", e.admin, sched); r.status != http.StatusCreated {
		t.Fatalf("forced schedule: %d %s", r.status, r.body)
	}
	e.runBenchmark(t, `{"command":"put","flags":{"total":"20"},"force":true}`)
}

// With the history store down, the benchmarks area answers 503 and never the driver's text.
func TestBenchmarksAnswer503WhileTheStoreIsDown(t *testing.T) {
	st, p := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st, extra: jobsQueue})
	id := e.runBenchmark(t, `{"command":"put","flags":{"total":"20"}}`)
	e.storeDown(t, p)
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/benchmarks"}, {"GET", "/api/v1/benchmarks/" + id}, {"GET", "/api/v1/clusters/c1/baselines/b"},
		{"PUT", "/api/v1/clusters/c1/baselines/b"},
	} {
		r := e.call(t, c.method, c.path, e.admin, map[string]string{"result_id": id})
		if r.status != http.StatusServiceUnavailable || strings.Contains(string(r.body), "dial tcp") {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.status, r.body)
		}
	}
}
