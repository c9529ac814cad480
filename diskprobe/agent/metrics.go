package agent

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Triggers of a probe, the `trigger` label.
const (
	triggerSchedule = "schedule"
	triggerDemand   = "demand"
)

// Results of a probe, the `result` label of runs_total: pass and fail are verdicts; error is a
// probe that could not run or broke off (the directory vanished, the disk filled up); cancelled
// is one stopped by its caller or the agent's shutdown.
const (
	resultPass      = "pass"
	resultFail      = "fail"
	resultError     = "error"
	resultCancelled = "cancelled"
)

// Reasons a probe did not start, the `reason` label of refused_total.
const (
	reasonBusy   = "busy"
	reasonBudget = "budget"
)

// walFsyncBuckets are the buckets of etcd's etcd_disk_wal_fsync_duration_seconds
// (server/storage/wal/metrics.go: prometheus.ExponentialBuckets(0.001, 2, 14)), so that the
// agent's histogram and the member's compare bucket by bucket.
var walFsyncBuckets = prometheus.ExponentialBuckets(0.001, 2, 14)

// stats are the figures of one trigger's probes since the agent started.
type stats struct {
	// buckets[i] counts syncs no longer than walFsyncBuckets[i] (cumulative, as exposed).
	buckets     []uint64
	count       uint64
	sum         float64
	runs        map[string]uint64
	refused     map[string]uint64
	bytes       uint64
	lastP99     float64
	lastVerdict float64
	lastRun     float64 // Unix seconds; 0 before the first verdict
}

func newStats() *stats {
	return &stats{buckets: make([]uint64, len(walFsyncBuckets)), runs: map[string]uint64{}, refused: map[string]uint64{}}
}

var (
	descSync = prometheus.NewDesc("etcd_monitor_diskprobe_sync_duration_seconds",
		"Latency of the probes' fdatasync calls, native engine, in etcd's WAL fsync buckets (compare with etcd_disk_wal_fsync_duration_seconds).",
		[]string{"trigger"}, nil)
	descLastP99 = prometheus.NewDesc("etcd_monitor_diskprobe_last_p99_seconds",
		"99th percentile fdatasync latency of the last probe that reached a verdict.",
		[]string{"trigger"}, nil)
	descLastVerdict = prometheus.NewDesc("etcd_monitor_diskprobe_last_verdict",
		"Verdict of the last probe that reached one: 1 pass (p99 under its threshold), 0 fail.",
		[]string{"trigger"}, nil)
	descLastRun = prometheus.NewDesc("etcd_monitor_diskprobe_last_run_timestamp_seconds",
		"When the last probe that reached a verdict finished, in Unix seconds; for scheduled probes, when the agent started until its first verdict.",
		[]string{"trigger"}, nil)
	descRuns = prometheus.NewDesc("etcd_monitor_diskprobe_runs_total",
		"Probes that ran, by trigger (schedule, demand) and result (pass, fail, error, cancelled).",
		[]string{"trigger", "result"}, nil)
	descRefused = prometheus.NewDesc("etcd_monitor_diskprobe_refused_total",
		"Probes that did not start, by trigger and reason: busy (another probe was running) or budget (it would have exceeded the I/O budget).",
		[]string{"trigger", "reason"}, nil)
	descBytes = prometheus.NewDesc("etcd_monitor_diskprobe_bytes_written_total",
		"Bytes the probes wrote, by trigger.",
		[]string{"trigger"}, nil)
	descBudget = prometheus.NewDesc("etcd_monitor_diskprobe_budget_bytes",
		"The I/O budget: bytes all probes together may write within any hour.",
		nil, nil)
	descBudgetUsed = prometheus.NewDesc("etcd_monitor_diskprobe_budget_used_bytes",
		"Bytes of the I/O budget used within the last hour, including what a running probe has reserved.",
		nil, nil)
	descInterval = prometheus.NewDesc("etcd_monitor_diskprobe_interval_seconds",
		"Mean time between two scheduled probes.",
		nil, nil)
	descThreshold = prometheus.NewDesc("etcd_monitor_diskprobe_threshold_seconds",
		"The p99 line of the scheduled probes' verdicts.",
		nil, nil)
	descRunning = prometheus.NewDesc("etcd_monitor_diskprobe_running",
		"1 while a probe runs, by trigger.",
		[]string{"trigger"}, nil)
)

// collector exposes the agent's figures, built at scrape time from its state.
type collector struct{ a *Agent }

var _ prometheus.Collector = collector{}

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSync, descLastP99, descLastVerdict, descLastRun, descRuns, descRefused,
		descBytes, descBudget, descBudgetUsed, descInterval, descThreshold, descRunning} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	a := c.a
	a.mu.Lock()
	defer a.mu.Unlock()
	gauge := func(d *prometheus.Desc, v float64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, lv...)
	}
	counter := func(d *prometheus.Desc, v uint64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), lv...)
	}
	for _, trigger := range []string{triggerSchedule, triggerDemand} {
		s := a.stats[trigger]
		buckets := make(map[float64]uint64, len(walFsyncBuckets))
		for i, le := range walFsyncBuckets {
			buckets[le] = s.buckets[i]
		}
		ch <- prometheus.MustNewConstHistogram(descSync, s.count, s.sum, buckets, trigger)
		if s.lastRun > 0 {
			gauge(descLastRun, s.lastRun, trigger)
			gauge(descLastP99, s.lastP99, trigger)
			gauge(descLastVerdict, s.lastVerdict, trigger)
		} else if trigger == triggerSchedule {
			gauge(descLastRun, float64(a.started.UnixNano())/1e9, trigger)
		}
		for _, r := range []string{resultPass, resultFail, resultError, resultCancelled} {
			counter(descRuns, s.runs[r], trigger, r)
		}
		for _, r := range []string{reasonBusy, reasonBudget} {
			counter(descRefused, s.refused[r], trigger, r)
		}
		counter(descBytes, s.bytes, trigger)
		running := 0.0
		if a.running != nil && a.running.trigger == trigger {
			running = 1
		}
		gauge(descRunning, running, trigger)
	}
	gauge(descBudget, float64(a.cfg.MaxBytesPerHour))
	gauge(descBudgetUsed, float64(a.budget.used(a.now())))
	gauge(descInterval, a.cfg.Interval.Seconds())
	gauge(descThreshold, a.cfg.Threshold.Seconds())
}
