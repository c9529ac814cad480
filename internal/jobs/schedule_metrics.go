package jobs

import "github.com/prometheus/client_golang/prometheus"

// Reasons of etcd_monitor_jobs_schedule_errors_total.
const (
	// ScheduleErrUnknownKind: the schedule's kind is not among the
	// scheduler's kinds (a replica of another version, or a kind removed).
	ScheduleErrUnknownKind = "unknown_kind"
	// ScheduleErrInvalid: the cron expression, time zone or parameters no
	// longer pass validation.
	ScheduleErrInvalid = "invalid"
	// ScheduleErrStore: the history store did not answer; the slot is tried
	// again at the next tick.
	ScheduleErrStore = "store"
	// ScheduleErrQueue: the job was recorded but its id could not be put on
	// the queue; the Reconciler enqueues it when the queue is back.
	ScheduleErrQueue = "queue"
)

// ScheduleMetrics are the Scheduler's metrics. The caller registers them
// (it is a prometheus.Collector); several schedulers of one process may
// share them.
type ScheduleMetrics struct {
	defined prometheus.Gauge
	paused  prometheus.Gauge
	fired   *prometheus.CounterVec
	missed  *prometheus.CounterVec
	errors  *prometheus.CounterVec
}

var _ prometheus.Collector = (*ScheduleMetrics)(nil)

// NewScheduleMetrics returns the metrics, not registered.
func NewScheduleMetrics() *ScheduleMetrics {
	m := &ScheduleMetrics{
		defined: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "etcd_monitor_jobs_schedule_defined",
			Help: "Schedules in the history store, paused ones included, as of the scheduler's last tick.",
		}),
		paused: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "etcd_monitor_jobs_schedule_paused",
			Help: "Paused schedules, as of the scheduler's last tick.",
		}),
		fired: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "etcd_monitor_jobs_schedule_fired_total",
			Help: "Slots this scheduler fired a job for and recorded, by job kind; summed over replicas, one per slot.",
		}, []string{"kind"}),
		missed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "etcd_monitor_jobs_schedule_missed_slots_total",
			Help: "Slots skipped by the missed-slot rule (older than the latest missed slot, or past the starting deadline), by job kind.",
		}, []string{"kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "etcd_monitor_jobs_schedule_errors_total",
			Help: "Due slots the scheduler could not fire or record, by reason: unknown_kind, invalid, store or queue; a tick that could not list the schedules counts as store.",
		}, []string{"reason"}),
	}
	for _, r := range []string{ScheduleErrUnknownKind, ScheduleErrInvalid, ScheduleErrStore, ScheduleErrQueue} {
		m.errors.WithLabelValues(r)
	}
	return m
}

// initKinds makes the per-kind series of kinds exist at zero.
func (m *ScheduleMetrics) initKinds(kinds []Kind) {
	for _, k := range kinds {
		m.fired.WithLabelValues(k.Name)
		m.missed.WithLabelValues(k.Name)
	}
}

// Describe implements prometheus.Collector.
func (m *ScheduleMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.collectors() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *ScheduleMetrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.collectors() {
		c.Collect(ch)
	}
}

func (m *ScheduleMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.defined, m.paused, m.fired, m.missed, m.errors}
}
