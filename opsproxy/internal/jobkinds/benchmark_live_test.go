package jobkinds

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// A running benchmark's progress carries the per-second samples closed so far, for the
// Benchmarks page's live charts; the finished job's holds the step's samples as reported.
func TestBenchmarkJobProgressCarriesLiveSamples(t *testing.T) {
	c := startBenchCluster(t)
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	t.Cleanup(func() { _ = q.Close() })
	startRunner(t, q, st, runnerOpts(), c.benchDeps(t, st))
	// 600 puts at 150/s: about four seconds, so seconds close while the job runs.
	j := submit(t, st, q, KindBenchmark, `{"command":"put","flags":{"total":"600","rate":"150","clients":"2"}}`)
	var live benchmarkProgress
	eventually(t, "a running benchmark's progress to hold a sample", func() bool {
		rec := record(t, st, j.ID)
		live = benchmarkProgress{}
		return rec.Status == store.JobRunning && json.Unmarshal(rec.Progress, &live) == nil && len(live.Samples) > 0
	})
	if s := live.Samples[0]; live.SamplesStep != 1 || s.Second != 0 || s.Requests == 0 || s.Throughput <= 0 || s.P99 <= 0 {
		t.Fatalf("live progress: step %d, first sample %+v", live.SamplesStep, s)
	}

	got := waitFinal(t, st, j.ID)
	if got.Status != store.JobSucceeded {
		t.Fatalf("job: %+v", got)
	}
	var final benchmarkProgress
	if err := json.Unmarshal(got.Progress, &final); err != nil || len(final.Results) != 1 {
		t.Fatalf("progress %s", got.Progress)
	}
	_, rep, _ := storedReport(t, st, final.Results[0])
	if !reflect.DeepEqual(final.Samples, rep.Samples) {
		t.Errorf("final progress samples\n%+v\nthe stored report's\n%+v", final.Samples, rep.Samples)
	}
}

func TestBenchmarkProgressKeepsTheStepsLastSamplesOnly(t *testing.T) {
	w := &progressWriter{}
	for i := 0; i < liveSamples+30; i++ {
		w.addSample(0, benchrunner.Sample{Second: i})
	}
	if len(w.p.Samples) != liveSamples || w.p.Samples[0].Second != 30 || w.p.Samples[liveSamples-1].Second != liveSamples+29 {
		t.Fatalf("kept %d samples, seconds %d..%d; want the last %d", len(w.p.Samples), w.p.Samples[0].Second, w.p.Samples[len(w.p.Samples)-1].Second, liveSamples)
	}
	w.addSample(1, benchrunner.Sample{Second: 0, Requests: 7})
	if w.p.SamplesStep != 2 || len(w.p.Samples) != 1 || w.p.Samples[0].Requests != 7 {
		t.Fatalf("the next step's first sample: step %d, samples %+v", w.p.SamplesStep, w.p.Samples)
	}
	// A full buffer is what a long run's every progress write carries: it must stay small.
	full := &progressWriter{}
	for i := 0; i < liveSamples; i++ {
		full.addSample(0, benchrunner.Sample{Second: 100000 + i, Unix: 1_800_000_000, Requests: 99999, Errors: 99999,
			Throughput: 123456.789, P50: 0.0123456789, P99: 0.0123456789, Min: 0.0123456789, Mean: 0.0123456789, Max: 0.0123456789})
	}
	if raw, err := json.Marshal(full.p); err != nil || len(raw) > 32<<10 {
		t.Fatalf("a full progress record is %d bytes (err %v), want at most 32 KiB", len(raw), err)
	}
}
