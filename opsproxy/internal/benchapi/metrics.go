package benchapi

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-monitor/etcd-monitor/benchrunner/regress"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Bounds of a scrape of the benchmark metrics: the store is read at most once per
// metricsMaxAge (scrapes in between get the same figures), for at most metricsTimeout, and
// only the newest metricsRuns runs are looked at.
const (
	metricsMaxAge  = 30 * time.Second
	metricsTimeout = 5 * time.Second
	metricsRuns    = 500
)

var (
	descThroughput = prometheus.NewDesc("etcd_monitor_benchmark_throughput",
		"Successful requests per second of the latest benchmark run of a cluster, profile and command.",
		[]string{"cluster", "profile", "command"}, nil)
	descP99 = prometheus.NewDesc("etcd_monitor_benchmark_latency_p99_seconds",
		"99th percentile latency (from each request's intended start) of the latest benchmark run of a cluster, profile and command.",
		[]string{"cluster", "profile", "command"}, nil)
	descLastRun = prometheus.NewDesc("etcd_monitor_benchmark_last_run_timestamp_seconds",
		"When the latest benchmark run of a cluster, profile and command finished, in Unix seconds.",
		[]string{"cluster", "profile", "command"}, nil)
	descSLOPass = prometheus.NewDesc("etcd_monitor_benchmark_slo_pass",
		"Whether the latest benchmark of a cluster against an SLO profile passed (1) or failed (0).",
		[]string{"cluster", "profile"}, nil)
	descRegressed = prometheus.NewDesc("etcd_monitor_benchmark_regressed",
		"Whether the latest benchmark run of a cluster, profile and command regressed (1) or not (0) against the cluster's most recently set baseline of the same profile and command, named in baseline.",
		[]string{"cluster", "profile", "command", "baseline"}, nil)
)

// Collector exposes the latest benchmark run per cluster, profile and command, read from the
// history store at scrape time, so every opsproxy replica shows the same figures.
type Collector struct {
	st     store.ResultStore
	logger *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	readAt  time.Time
	metrics []prometheus.Metric
	// regressed keeps the verdict of each compared pair of runs ("run/baseline"): stored runs
	// do not change, and a comparison costs a bootstrap (about 16 ms for two one-minute runs).
	regressed map[string]bool
}

var _ prometheus.Collector = (*Collector)(nil)

// NewCollector reads the runs and baselines from st.
func NewCollector(st store.ResultStore, logger *slog.Logger) *Collector {
	return &Collector{st: st, logger: logger, now: time.Now}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descThroughput, descP99, descLastRun, descSLOPass, descRegressed} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. While the store does not answer, the figures of
// the last read stay (they describe runs, which do not change) and the failure is logged.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); now.Sub(c.readAt) >= metricsMaxAge {
		ctx, cancel := context.WithTimeout(context.Background(), metricsTimeout)
		ms, err := c.read(ctx)
		cancel()
		if err != nil {
			c.logger.Warn("benchmark metrics: history store unavailable; showing the last figures read", "err", err)
		} else {
			c.metrics, c.readAt = ms, now
		}
	}
	for _, m := range c.metrics {
		ch <- m
	}
}

// seriesKey is one latest-run series.
type seriesKey struct{ cluster, profile, command string }

func (c *Collector) read(ctx context.Context) ([]prometheus.Metric, error) {
	results, err := c.st.ListResults(ctx, store.ResultFilter{Kind: store.KindBenchmark, Limit: metricsRuns})
	if err != nil {
		return nil, err
	}
	latest := map[seriesKey]Run{}
	slo := map[[2]string]bool{}
	var order []seriesKey
	for _, r := range results { // newest first
		run, err := decodeRun(r)
		if err != nil {
			c.logger.Warn("benchmark metrics: a stored run does not decode", "err", err)
			continue
		}
		k := seriesKey{run.Cluster, run.Profile, run.Command}
		if _, seen := latest[k]; !seen {
			latest[k] = run
			order = append(order, k)
		}
		if pk := [2]string{run.Cluster, run.Profile}; run.Verdict != "" {
			if _, seen := slo[pk]; !seen {
				slo[pk] = run.Verdict == store.VerdictPass
			}
		}
	}
	baselines, err := c.st.ListBaselines(ctx, store.KindBenchmark, "")
	if err != nil {
		return nil, err
	}
	var out []prometheus.Metric
	compared := make(map[string]bool, len(order))
	for _, k := range order {
		run := latest[k]
		labels := []string{k.cluster, k.profile, k.command}
		out = append(out,
			prometheus.MustNewConstMetric(descThroughput, prometheus.GaugeValue, run.Throughput, labels...),
			prometheus.MustNewConstMetric(descP99, prometheus.GaugeValue, run.P99, labels...),
			prometheus.MustNewConstMetric(descLastRun, prometheus.GaugeValue, float64(run.FinishedAt.UnixNano())/1e9, labels...))
		if b, ok := baselineFor(baselines, run); ok {
			pair := run.ID + "/" + b.ResultID
			isRegressed, known := c.regressed[pair]
			if !known {
				base, err := decodeRun(b.Result)
				if err != nil {
					continue
				}
				isRegressed = Compare(run, base).Verdict == regress.Regressed
			}
			compared[pair] = isRegressed
			regressed := 0.0
			if isRegressed {
				regressed = 1
			}
			out = append(out, prometheus.MustNewConstMetric(descRegressed, prometheus.GaugeValue, regressed, append(labels, b.Name)...))
		}
	}
	// Only the pairs of this read are kept, so the map holds at most one per series.
	c.regressed = compared
	for k, pass := range slo {
		v := 0.0
		if pass {
			v = 1
		}
		out = append(out, prometheus.MustNewConstMetric(descSLOPass, prometheus.GaugeValue, v, k[0], k[1]))
	}
	return out, nil
}

// baselineFor is the baseline a run is judged against for the metric: of its cluster, of a
// run of the same profile and command, not the run itself, the most recently set.
func baselineFor(baselines []store.Baseline, run Run) (store.Baseline, bool) {
	var best store.Baseline
	found := false
	for _, b := range baselines {
		if b.Cluster != run.Cluster || b.ResultID == run.ID || b.Result.Name != run.Profile {
			continue
		}
		base, err := decodeRun(b.Result)
		if err != nil || base.Command != run.Command {
			continue
		}
		if !found || b.SetAt.After(best.SetAt) {
			best, found = b, true
		}
	}
	return best, found
}
