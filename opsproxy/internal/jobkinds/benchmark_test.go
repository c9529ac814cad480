package jobkinds

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/benchrunner/slo"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// startBenchCluster is a one-member cluster "prod" for benchmark jobs: the kind's behaviour,
// not the cluster's size, is under test.
func startBenchCluster(t *testing.T) *testCluster {
	t.Helper()
	ec := etcdtest.New(t, etcdtest.Config{Size: 1})
	return &testCluster{Cluster: ec, conn: connect(t, ec.Endpoints()), cli: ec.Client(t)}
}

func (c *testCluster) benchDeps(t *testing.T, st store.ResultStore) Deps {
	d := c.deps(t)
	d.Results = st
	return d
}

func benchKeys(t testing.TB, cli *clientv3.Client) int64 {
	t.Helper()
	resp, err := cli.Get(context.Background(), benchrunner.DefaultPrefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	return resp.Count
}

func decodeBenchResult(t testing.TB, raw json.RawMessage) benchmarkResult {
	t.Helper()
	var r benchmarkResult
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("benchmark result %s: %v", raw, err)
	}
	return r
}

func storedReport(t testing.TB, st store.ResultStore, id string) (store.Result, benchrunner.Report, BenchmarkParameters) {
	t.Helper()
	res, err := st.Result(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var rep benchrunner.Report
	if err := json.Unmarshal(res.Figures, &rep); err != nil {
		t.Fatalf("figures %s: %v", res.Figures, err)
	}
	var p BenchmarkParameters
	if err := json.Unmarshal(res.Parameters, &p); err != nil {
		t.Fatalf("parameters %s: %v", res.Parameters, err)
	}
	return res, rep, p
}

func TestBenchmarkJobStoresItsReportAndDeletesItsKeys(t *testing.T) {
	c := startBenchCluster(t)
	forEachQueue(t, func(t *testing.T, newQueue func(*testing.T, jobs.Options) jobs.Queue) {
		st, q := openStore(t), newQueue(t, jobs.Options{})
		startRunner(t, q, st, runnerOpts(), c.benchDeps(t, st))
		j := submit(t, st, q, KindBenchmark, `{"command":"put","flags":{"total":"300","clients":"2","conns":"1","val-size":"16"}}`)
		got := waitFinal(t, st, j.ID)
		if got.Status != store.JobSucceeded {
			t.Fatalf("job: %+v", got)
		}
		out := decodeBenchResult(t, got.Result)
		if len(out.Results) != 1 || out.Partial || out.Verdict != nil || out.Profile != CustomProfile {
			t.Fatalf("result %s: want one complete result of the custom profile without a verdict", got.Result)
		}
		res, rep, params := storedReport(t, st, out.Results[0])
		switch {
		case res.Kind != store.KindBenchmark || res.Cluster != "prod" || res.Name != CustomProfile || res.Verdict != "":
			t.Fatalf("stored result %+v", res)
		case rep.Command != "put" || rep.Requests != 300 || rep.Partial || rep.Throughput <= 0 || rep.Latency.Count != 300:
			t.Fatalf("report: command %s, %d requests, partial %v, throughput %v, latency count %d", rep.Command, rep.Requests, rep.Partial, rep.Throughput, rep.Latency.Count)
		case params.Job != j.ID || params.Prefix != BenchmarkPrefix(j.ID) || params.Flags["total"] != "300" || params.Step != 1 || params.Steps != 1:
			t.Fatalf("parameters %+v", params)
		}
		var prog benchmarkProgress
		if err := json.Unmarshal(got.Progress, &prog); err != nil || prog.Done != 300 || prog.Total != 300 || prog.Command != "put" || len(prog.Results) != 1 {
			t.Fatalf("progress %s", got.Progress)
		}
		if n := benchKeys(t, c.cli); n != 0 {
			t.Fatalf("%d benchmark keys left", n)
		}
	})
}

// A profile of the configuration runs by name; its rules give the verdict, stored with each
// step's result and in the job's result, with the rule that failed.
func TestBenchmarkJobOfAConfiguredProfileStoresItsVerdict(t *testing.T) {
	profiles, err := slo.ParseProfiles([]byte(`profiles:
  - name: smoke
    runs:
      - command: put
        duration: 2s
        flags: {rate: "50", clients: "2", conns: "1"}
      - command: range
        duration: 1s
        flags: {rate: "50", clients: "2", conns: "1", consistency: s}
    rules: {min_throughput_ratio: 0.01, max_p99: 30s, max_errors: 0}
  - name: impossible
    runs:
      - command: put
        flags: {total: "20"}
    rules: {min_throughput: 1e12}
`))
	if err != nil {
		t.Fatal(err)
	}
	c := startBenchCluster(t)
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	t.Cleanup(func() { _ = q.Close() })
	d := c.benchDeps(t, st)
	d.Profiles = func(string) []slo.Profile { return profiles }
	startRunner(t, q, st, runnerOpts(), d)
	for profile, want := range map[string]store.Verdict{"smoke": store.VerdictPass, "impossible": store.VerdictFail} {
		got := waitFinal(t, st, submit(t, st, q, KindBenchmark, `{"profile":"`+profile+`"}`).ID)
		if got.Status != store.JobSucceeded {
			t.Fatalf("%s: %s %q", profile, got.Status, got.Error)
		}
		out := decodeBenchResult(t, got.Result)
		if out.Verdict == nil || out.Verdict.Pass != (want == store.VerdictPass) || out.Profile != profile {
			t.Fatalf("%s: result %s, want %s", profile, got.Result, want)
		}
		for i, id := range out.Results {
			res, rep, params := storedReport(t, st, id)
			if res.Verdict != want || res.Name != profile || params.Step != i+1 || params.Steps != len(out.Results) || rep.Requests == 0 {
				t.Fatalf("%s step %d: verdict %s, name %s, parameters %+v, %d requests", profile, i+1, res.Verdict, res.Name, params, rep.Requests)
			}
		}
		if profile == "smoke" && len(out.Results) != 2 {
			t.Fatalf("smoke: %d results, want one per step", len(out.Results))
		}
		if profile == "impossible" && !strings.Contains(string(got.Result), "min throughput") {
			t.Fatalf("impossible: the failed rule is not named: %s", got.Result)
		}
	}
	if _, err := (Deps{}).parseBenchmarkParams("", json.RawMessage(`{"profile":"smoke"}`)); err == nil {
		t.Fatal("a configured profile is accepted without the configuration")
	}
	if n := benchKeys(t, c.cli); n != 0 {
		t.Fatalf("%d benchmark keys left", n)
	}
}

// A cancelled benchmark stops, keeps its partial report and leaves no key behind.
func TestBenchmarkJobCancelledKeepsAPartialReportAndNoKeys(t *testing.T) {
	c := startBenchCluster(t)
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	t.Cleanup(func() { _ = q.Close() })
	startRunner(t, q, st, runnerOpts(), c.benchDeps(t, st))
	j := submit(t, st, q, KindBenchmark, `{"command":"put","flags":{"total":"1000000","rate":"200"}}`)
	eventually(t, "the benchmark to write", func() bool {
		var p benchmarkProgress
		return json.Unmarshal(record(t, st, j.ID).Progress, &p) == nil && p.Done > 0
	})
	if _, err := st.RequestJobCancel(context.Background(), j.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	got := waitFinal(t, st, j.ID)
	if got.Status != store.JobCancelled {
		t.Fatalf("job: %+v", got)
	}
	var prog benchmarkProgress
	if err := json.Unmarshal(got.Progress, &prog); err != nil || len(prog.Results) != 1 {
		t.Fatalf("progress %s: want the partial result's id", got.Progress)
	}
	_, rep, _ := storedReport(t, st, prog.Results[0])
	if !rep.Partial || rep.Requests == 0 || rep.Requests >= 1000000 {
		t.Fatalf("report: partial %v after %d requests", rep.Partial, rep.Requests)
	}
	if n := benchKeys(t, c.cli); n != 0 {
		t.Fatalf("%d benchmark keys left", n)
	}
}

// A benchmark whose cluster goes away fails, stores the partial report, and deletes its keys
// once the cluster is back.
func TestBenchmarkJobLosingItsClusterStoresAPartialReportAndCleansUpWhenItReturns(t *testing.T) {
	c := startBenchCluster(t)
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{MaxAttempts: 1})
	t.Cleanup(func() { _ = q.Close() })
	d := c.benchDeps(t, st)
	d.HealthTimeout, d.CleanupWait = time.Second, 2*time.Minute
	startRunner(t, q, st, runnerOpts(), d)
	j := submit(t, st, q, KindBenchmark, `{"command":"put","flags":{"total":"1000000","rate":"200"}}`)
	eventually(t, "the benchmark to write", func() bool {
		var p benchmarkProgress
		return json.Unmarshal(record(t, st, j.ID).Progress, &p) == nil && p.Done > 0
	})
	c.Members[0].Stop(t)
	eventually(t, "the job to wait for the cluster to clean up", func() bool {
		var p benchmarkProgress
		return json.Unmarshal(record(t, st, j.ID).Progress, &p) == nil && p.State == "cleaning"
	})
	c.Members[0].Restart(t)
	got := waitFinal(t, st, j.ID)
	if got.Status != store.JobFailed || !strings.Contains(got.Error, "partial report stored as") || !strings.Contains(got.Error, "deleted") {
		t.Fatalf("job %s: %q, want failed with its partial report stored and its keys deleted", got.Status, got.Error)
	}
	var prog benchmarkProgress
	if err := json.Unmarshal(got.Progress, &prog); err != nil || len(prog.Results) != 1 {
		t.Fatalf("progress %s", got.Progress)
	}
	_, rep, _ := storedReport(t, st, prog.Results[0])
	if !rep.Partial || rep.Requests == 0 {
		t.Fatalf("report: partial %v after %d requests", rep.Partial, rep.Requests)
	}
	cli := c.Client(t)
	if n := benchKeys(t, cli); n != 0 {
		t.Fatalf("%d benchmark keys left", n)
	}
}

// Two benchmarks of one cluster never run at once (they would measure each other): the second
// waits, queued, until the first has ended.
func TestBenchmarkJobsRunOneAtATimePerCluster(t *testing.T) {
	c := startBenchCluster(t)
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	t.Cleanup(func() { _ = q.Close() })
	startRunner(t, q, st, runnerOpts(), c.benchDeps(t, st))
	first := submit(t, st, q, KindBenchmark, `{"command":"put","flags":{"total":"1000000","rate":"100"}}`)
	eventually(t, "the first benchmark to write", func() bool {
		var p benchmarkProgress
		return json.Unmarshal(record(t, st, first.ID).Progress, &p) == nil && p.Done > 0
	})
	second := submit(t, st, q, KindBenchmark, `{"command":"put","flags":{"total":"50"}}`)
	// Let the first run on for another 200 requests, the second offered to the workers all along.
	var done int64
	eventually(t, "the first benchmark to go on", func() bool {
		var p benchmarkProgress
		_ = json.Unmarshal(record(t, st, first.ID).Progress, &p)
		done = p.Done
		return p.Done > 200
	})
	if got := record(t, st, second.ID); got.Status != store.JobQueued {
		t.Fatalf("second benchmark %s while the first runs (%d requests done)", got.Status, done)
	}
	if _, err := st.RequestJobCancel(context.Background(), first.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := waitFinal(t, st, second.ID); got.Status != store.JobSucceeded {
		t.Fatalf("second benchmark after the first: %s %q", got.Status, got.Error)
	}
	if got := record(t, st, first.ID); got.Status != store.JobCancelled || !got.FinishedAt.Before(record(t, st, second.ID).StartedAt.Add(time.Nanosecond)) {
		t.Fatalf("first %s finished %v, second started %v", got.Status, got.FinishedAt, record(t, st, second.ID).StartedAt)
	}
}

// A benchmark of a cluster that does not answer fails at once (within the dial timeout), storing
// nothing and waiting for no cleanup: it wrote no key.
func TestBenchmarkJobOfAnUnreachableClusterFailsWithoutWaiting(t *testing.T) {
	c := startBenchCluster(t)
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{MaxAttempts: 1})
	t.Cleanup(func() { _ = q.Close() })
	d := c.benchDeps(t, st)
	d.CleanupWait = time.Hour
	startRunner(t, q, st, runnerOpts(), d)
	c.Members[0].Stop(t)
	got := waitFinal(t, st, submit(t, st, q, KindBenchmark, `{"command":"put","flags":{"total":"100"}}`).ID)
	if got.Status != store.JobFailed || strings.Contains(got.Error, "partial report") {
		t.Fatalf("job %s: %q", got.Status, got.Error)
	}
	results, err := st.ListResults(context.Background(), store.ResultFilter{Kind: store.KindBenchmark})
	if err != nil || len(results) != 0 {
		t.Fatalf("results %v, %v: want none", results, err)
	}
}

func TestBenchmarkOnAProtectedClusterNeedsForce(t *testing.T) {
	d := Deps{Protected: func(name string) bool { return name == "prod" }}.withDefaults()
	kind := d.benchmarkKind()
	err := kind.Admit("prod", json.RawMessage(`{"command":"put"}`))
	if !errors.Is(err, ErrProtected) || !strings.Contains(err.Error(), "force: true") {
		t.Fatalf("unforced benchmark of a protected cluster: %v", err)
	}
	for cluster, params := range map[string]string{"prod": `{"command":"put","force":true}`, "dev": `{"command":"put"}`} {
		if err := kind.Admit(cluster, json.RawMessage(params)); err != nil {
			t.Fatalf("%s %s: %v", cluster, params, err)
		}
	}
	// The worker checks again: the configuration may have protected the cluster since.
	_, err = d.benchmark(context.Background(), &jobs.Run{Job: store.Job{ID: "j", Cluster: "prod", Parameters: json.RawMessage(`{"command":"put"}`)}})
	if !errors.Is(err, ErrProtected) {
		t.Fatalf("handler: %v", err)
	}
}

func TestBenchmarkParametersAreCheckedNamingTheField(t *testing.T) {
	long := strings.Repeat("x", 300)
	many := map[string]string{}
	for i := range 70 {
		many[strings.Repeat("f", i+1)] = "1"
	}
	manyRaw, _ := json.Marshal(map[string]any{"command": "put", "flags": many})
	for params, want := range map[string]string{
		`{}`:                              "profile: name a profile or give a command",
		`{"profile":"s","command":"put"}`: "profile: a profile sets its own command and flags",
		`{"profile":"huge"}`:              `profile "huge": no such profile`,
		`{"command":"drop"}`:              `flags: unknown command "drop"`,
		`{"command":"put","flags":{"total":"0"}}`:              "flags: --total: must be positive",
		`{"command":"put","flags":{"endpoints":"http://x:1"}}`: "flags: unknown flag: --endpoints",
		`{"command":"put","flags":{"user":"root:pw"}}`:         "flags: unknown flag: --user",
		`{"command":"put","flags":{"rate":"fast"}}`:            "flags: --rate:",
		`{"command":"put","flags":{"total":"` + long + `"}}`:   "flags.total: longer than 256 characters",
		`{"command":"put","args":["a","b","c"]}`:               "args: at most 2",
		`{"command":"put","prefix":"/"}`:                       "prefix: unknown parameter",
		string(manyRaw):                                        "flags: at most 64",
	} {
		_, err := Deps{}.parseBenchmarkParams("", json.RawMessage(params))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.80s: %v, want %q", params, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "root:pw") {
			t.Errorf("%s: the error repeats the credential: %v", params, err)
		}
	}
	for _, ok := range []string{`{"profile":"s"}`, `{"profile":"small","force":true}`, `{"command":"range","flags":{"consistency":"s"}}`} {
		if _, err := (Deps{}).parseBenchmarkParams("", json.RawMessage(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
