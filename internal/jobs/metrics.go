package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Metrics exposes a queue, the running jobs of its store and what this
// process's runner and API did with them. The queue and the store are read
// at scrape time (bounded by scrapeTimeout), so no gauge goes stale.
type Metrics struct {
	q       Queue
	st      store.JobStore
	workers int

	enqueued, started *prometheus.CounterVec
	finished          *prometheus.CounterVec
	reconciled        *prometheus.CounterVec
}

var _ prometheus.Collector = (*Metrics)(nil)

// scrapeTimeout bounds the queue and store reads of one scrape.
const scrapeTimeout = 5 * time.Second

var (
	descUp            = prometheus.NewDesc("etcd_monitor_jobs_queue_up", "Whether the job queue answered at this scrape (1) or not (0); while it is 0, enqueueing is refused with 503.", nil, nil)
	descDepth         = prometheus.NewDesc("etcd_monitor_jobs_queue_depth", "Jobs in the queue: waiting for a worker, held by one or waiting for a retry.", nil, nil)
	descWaiting       = prometheus.NewDesc("etcd_monitor_jobs_queue_waiting", "Jobs in the queue ready for a worker now.", nil, nil)
	descOldestWaiting = prometheus.NewDesc("etcd_monitor_jobs_oldest_waiting_age_seconds", "How long the job that has waited longest for a worker has waited (0 when none waits).", nil, nil)
	descDead          = prometheus.NewDesc("etcd_monitor_jobs_dead_letters", "Jobs in the queue's dead letters: out of attempts, with their last error.", nil, nil)
	descWorkers       = prometheus.NewDesc("etcd_monitor_jobs_workers", "Workers the queue knows of (state registered) and those that took or renewed a job within two visibility timeouts (state alive), all processes together.", []string{"state"}, nil)
	descProcess       = prometheus.NewDesc("etcd_monitor_jobs_process_workers", "Workers this process runs (queue.workers; 0: it only enqueues).", nil, nil)
	descRunning       = prometheus.NewDesc("etcd_monitor_jobs_running", "Jobs whose record says running, all workers together (at most 1000 are looked at).", nil, nil)
	descHeartbeatAge  = prometheus.NewDesc("etcd_monitor_jobs_oldest_heartbeat_age_seconds", "Time since the last heartbeat of the running job heard from longest ago (0 when none runs): a worker that stopped without handing its job back.", nil, nil)
)

// NewMetrics returns the metrics of q and st for a process running
// workers of them (0: it only enqueues); the counters of kinds are shown
// at 0 from the start.
func NewMetrics(q Queue, st store.JobStore, workers int, kinds []string) *Metrics {
	m := newMetrics(q, st, workers)
	for _, v := range []string{"enqueued", "handed_back", "failed"} {
		m.reconciled.WithLabelValues(v)
	}
	for _, k := range kinds {
		m.enqueued.WithLabelValues(k)
		m.started.WithLabelValues(k)
		for _, o := range []store.JobStatus{store.JobSucceeded, store.JobFailed, store.JobCancelled} {
			m.finished.WithLabelValues(k, string(o))
		}
	}
	return m
}

func newMetrics(q Queue, st store.JobStore, workers int) *Metrics {
	return &Metrics{q: q, st: st, workers: workers,
		enqueued: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etcd_monitor_jobs_enqueued_total",
			Help: "Jobs created through this process's API, by kind (a repeated idempotency key does not count)."}, []string{"kind"}),
		started: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etcd_monitor_jobs_started_total",
			Help: "Attempts this process's workers started, by kind."}, []string{"kind"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etcd_monitor_jobs_finished_total",
			Help: "Jobs this process's workers and reconciler finished, by kind and outcome (succeeded, failed, cancelled)."}, []string{"kind", "outcome"}),
		reconciled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etcd_monitor_jobs_reconciler_actions_total",
			Help: "Repairs of this process's reconciler, by action: enqueued (a queued job missing from the queue), handed_back (the job of a lost worker, queued again), failed (the job of a lost worker, out of attempts)."}, []string{"action"}),
	}
}

// Enqueued counts a job created through the API.
func (m *Metrics) Enqueued(kind string) { m.enqueued.WithLabelValues(kind).Inc() }

// Observe counts a runner event; give it as RunnerOptions.OnEvent.
func (m *Metrics) Observe(e Event) {
	switch e.Type {
	case EventStarted:
		m.started.WithLabelValues(e.Job.Kind).Inc()
	case EventFinished:
		m.finished.WithLabelValues(e.Job.Kind, string(e.Job.Status)).Inc()
	}
}

// ObservePass counts a reconciler pass; give it as ReconcileOptions.OnPass.
func (m *Metrics) ObservePass(r ReconcileReport) {
	m.reconciled.WithLabelValues("enqueued").Add(float64(r.Enqueued))
	m.reconciled.WithLabelValues("handed_back").Add(float64(r.HandedBack))
	m.reconciled.WithLabelValues("failed").Add(float64(r.Failed))
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descDepth, descWaiting, descOldestWaiting, descDead, descWorkers, descProcess, descRunning, descHeartbeatAge} {
		ch <- d
	}
	m.enqueued.Describe(ch)
	m.started.Describe(ch)
	m.finished.Describe(ch)
	m.reconciled.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	now := time.Now()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(descProcess, float64(m.workers))
	st, err := m.q.Stats(ctx)
	if err != nil {
		gauge(descUp, 0)
	} else {
		gauge(descUp, 1)
		gauge(descDepth, float64(st.Depth))
		gauge(descWaiting, float64(st.Waiting))
		gauge(descOldestWaiting, ageSeconds(now, st.OldestWaiting))
		gauge(descDead, float64(st.DeadLetters))
		gauge(descWorkers, float64(st.Consumers), "registered")
		gauge(descWorkers, float64(st.ConsumersAlive), "alive")
	}
	if page, err := m.st.ListJobs(ctx, store.JobFilter{Status: store.JobRunning, Limit: store.MaxJobLimit}); err == nil {
		var oldest time.Time
		for _, j := range page.Jobs {
			if oldest.IsZero() || j.HeartbeatAt.Before(oldest) {
				oldest = j.HeartbeatAt
			}
		}
		gauge(descRunning, float64(len(page.Jobs)))
		gauge(descHeartbeatAge, ageSeconds(now, oldest))
	}
	m.enqueued.Collect(ch)
	m.started.Collect(ch)
	m.finished.Collect(ch)
	m.reconciled.Collect(ch)
}

func ageSeconds(now, since time.Time) float64 {
	if since.IsZero() {
		return 0
	}
	return max(now.Sub(since).Seconds(), 0)
}
