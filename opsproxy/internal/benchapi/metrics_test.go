package benchapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/internal/metricsdoc"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobkinds"
)

// stores are the two history stores the collector reads.
var stores = map[string]func(t *testing.T) store.Store{
	"bolt": func(t *testing.T) store.Store {
		st, err := bolt.Open(filepath.Join(t.TempDir(), "history.db"), bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	},
	"postgres": func(t *testing.T) store.Store {
		dsn := storetest.PostgresDSN(t)
		schema := "benchapi_test_" + store.NewID()[:12]
		storetest.DropSchemaAtCleanup(t, dsn, schema)
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	},
}

// samples are n seconds of a steady load at throughput requests/s with a p99 of p99 seconds,
// with a small deterministic wobble.
func samples(n int, throughput, p99 float64) []benchrunner.Sample {
	out := make([]benchrunner.Sample, n)
	for i := range out {
		w := 1 + 0.02*math.Sin(float64(i)*1.7)
		out[i] = benchrunner.Sample{Second: i, Requests: int64(throughput * w), Throughput: throughput * w, P50: p99 / 4, P99: p99 * w}
	}
	return out
}

// saveRun stores a run of cluster c1 as a benchmark job would.
func saveRun(t *testing.T, st store.Store, profile, command string, at time.Time, throughput, p99 float64, verdict store.Verdict) store.Result {
	t.Helper()
	rep := benchrunner.Report{Command: command, StartedAt: at, FinishedAt: at.Add(30 * time.Second), Requests: int64(30 * throughput),
		Throughput: throughput, Latency: benchrunner.Distribution{Percentiles: map[string]float64{"99": p99}}, Samples: samples(30, throughput, p99)}
	figures, _ := json.Marshal(rep)
	params, _ := json.Marshal(jobkinds.BenchmarkParameters{Job: store.NewID(), Profile: profile, Step: 1, Steps: 1, Command: command})
	r, err := st.SaveResult(context.Background(), store.Result{Kind: store.KindBenchmark, Cluster: "c1", Name: profile,
		StartedAt: rep.StartedAt, FinishedAt: rep.FinishedAt, Parameters: params, Figures: figures, Verdict: verdict})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func gather(t *testing.T, c prometheus.Collector) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

func gauge(mfs map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	for _, m := range mfs[name].GetMetric() {
		match := len(m.GetLabel()) == len(labels)
		for _, lp := range m.GetLabel() {
			match = match && labels[lp.GetName()] == lp.GetValue()
		}
		if match {
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// The collector shows the latest run per cluster, profile and command, the SLO verdict of the
// latest judged run, and a regression against the baseline: a run at 60 % of its baseline's
// throughput is regressed.
func TestCollectorShowsTheLatestRunItsVerdictAndItsRegression(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
			base := saveRun(t, st, "m", "put", t0, 1000, 0.010, store.VerdictPass)
			saveRun(t, st, "m", "put", t0.Add(time.Hour), 600, 0.030, store.VerdictFail)
			saveRun(t, st, jobkinds.CustomProfile, "range", t0.Add(2*time.Hour), 5000, 0.002, "")
			if _, err := st.SetBaseline(context.Background(), store.Baseline{Kind: store.KindBenchmark, Cluster: "c1", Name: "golden",
				ResultID: base.ID, SetBy: "test"}); err != nil {
				t.Fatal(err)
			}
			mfs := gather(t, NewCollector(st, slog.New(slog.DiscardHandler)))
			put := map[string]string{"cluster": "c1", "profile": "m", "command": "put"}
			for _, c := range []struct {
				name   string
				labels map[string]string
				want   float64
			}{
				{"etcd_monitor_benchmark_throughput", put, 600},
				{"etcd_monitor_benchmark_latency_p99_seconds", put, 0.030},
				{"etcd_monitor_benchmark_last_run_timestamp_seconds", put, float64(t0.Add(time.Hour + 30*time.Second).Unix())},
				{"etcd_monitor_benchmark_slo_pass", map[string]string{"cluster": "c1", "profile": "m"}, 0},
				{"etcd_monitor_benchmark_regressed", map[string]string{"cluster": "c1", "profile": "m", "command": "put", "baseline": "golden"}, 1},
				{"etcd_monitor_benchmark_throughput", map[string]string{"cluster": "c1", "profile": "custom", "command": "range"}, 5000},
			} {
				if got, ok := gauge(mfs, c.name, c.labels); !ok || math.Abs(got-c.want) > 1e-9 {
					t.Errorf("%s%v = %v (present %v), want %v", c.name, c.labels, got, ok, c.want)
				}
			}
			if _, ok := gauge(mfs, "etcd_monitor_benchmark_slo_pass", map[string]string{"cluster": "c1", "profile": "custom"}); ok {
				t.Error("a custom run without a verdict has an SLO series")
			}
			metricsdoc.Check(t, "../../../docs/metrics.md", "benchmark-metrics", mfs)
		})
	}
}

// A run like its baseline is not regressed; the comparison says unchanged.
func TestCompareOfARunLikeItsBaselineIsUnchanged(t *testing.T) {
	a, b := Run{Report: benchrunner.Report{Command: "put", Samples: samples(30, 1000, 0.01)}},
		Run{Report: benchrunner.Report{Command: "put", Samples: samples(30, 1000, 0.01)}}
	if got := Compare(a, b); got.Verdict != "unchanged" || len(got.Results) != 2 {
		t.Fatalf("%+v", got)
	}
}
