package jobs_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/metricsdoc"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// counterValue reads the counter name{label=value} from m.
func counterValue(t *testing.T, m *jobs.ScheduleMetrics, name, label, value string) float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, metric := range mf.GetMetric() {
			for _, lp := range metric.GetLabel() {
				if lp.GetName() == label && lp.GetValue() == value {
					return metric.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("%s{%s=%q} is not exposed", name, label, value)
	return 0
}

func TestScheduleMetricsCountAndAreDocumented(t *testing.T) {
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	clock := &testClock{}
	createSchedule(t, st, "0 * * * *", at(0, 0, 30))
	if _, err := st.CreateSchedule(t.Context(), store.Schedule{Name: "other", Kind: "work", Cluster: "prod", Cron: "@daily",
		CreatedAt: at(0, 0, 30), Paused: true}); err != nil {
		t.Fatal(err)
	}
	metrics := jobs.NewScheduleMetrics()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(metrics)
	s := newScheduler(st, q, clock, jobs.SchedulerOptions{Metrics: metrics})
	clock.Set(at(3, 0, 10)) // 01:00 and 02:00 missed, 03:00 fires
	tick(t, s)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exposed := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		exposed[mf.GetName()] = mf
	}
	metricsdoc.Check(t, "../../docs/metrics.md", "schedule-metrics", exposed)
	for _, c := range []struct {
		name, label, value string
		want               float64
	}{
		{"etcd_monitor_jobs_schedule_fired_total", "kind", "work", 1},
		{"etcd_monitor_jobs_schedule_missed_slots_total", "kind", "work", 2},
		{"etcd_monitor_jobs_schedule_errors_total", "reason", jobs.ScheduleErrStore, 0},
	} {
		if got := counterValue(t, metrics, c.name, c.label, c.value); got != c.want {
			t.Errorf("%s{%s=%q} = %v, want %v", c.name, c.label, c.value, got, c.want)
		}
	}
	for name, want := range map[string]float64{"etcd_monitor_jobs_schedule_defined": 2, "etcd_monitor_jobs_schedule_paused": 1} {
		if got := exposed[name].GetMetric()[0].GetGauge().GetValue(); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}
