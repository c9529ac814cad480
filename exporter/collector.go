package exporter

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

const namespace = "etcd_monitor"

var (
	collectorSuccessDesc = prometheus.NewDesc(namespace+"_scrape_collector_success",
		"Whether a collector succeeded for a cluster in this scrape.", []string{"cluster", "collector"}, nil)
	collectorDurationDesc = prometheus.NewDesc(namespace+"_scrape_collector_duration_seconds",
		"How long a collector took for a cluster in this scrape.", []string{"cluster", "collector"}, nil)
	clusterReachableDesc = prometheus.NewDesc(namespace+"_cluster_reachable",
		"1 when at least one member of the cluster answered a Status request in this scrape.", []string{"cluster"}, nil)
	memberRequestsDesc = prometheus.NewDesc(namespace+"_member_requests_total",
		"Requests the exporter has sent to the member, all probes together.", []string{"cluster", "endpoint"}, nil)
)

// clusterCollector probes a set of clusters, all concurrently, within the scrape's context.
type clusterCollector struct {
	ctx     context.Context
	targets []*target
	probes  []*probeEntry
	logger  *slog.Logger
	// onError, when set, is told of every failed probe (for /probe?debug=true).
	onError func(collector string, err error)
	// onMemberError, when set, is told why each member that did not answer Status failed.
	onMemberError func(endpoint string, err error)
}

var _ prometheus.Collector = (*clusterCollector)(nil)

func (c *clusterCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- collectorSuccessDesc
	ch <- collectorDurationDesc
	ch <- clusterReachableDesc
	ch <- memberRequestsDesc
	for _, e := range c.probes {
		e.probe.describe(ch)
	}
}

func (c *clusterCollector) Collect(ch chan<- prometheus.Metric) {
	parallel(len(c.targets), func(i int) { c.collectTarget(c.targets[i], ch) })
}

// collectTarget runs every enabled probe of one cluster concurrently and reports whether the
// cluster answered at all.
func (c *clusterCollector) collectTarget(t *target, ch chan<- prometheus.Metric) bool {
	s := newScrape(c.ctx, t)
	var wg sync.WaitGroup
	for _, e := range c.probes {
		wg.Go(func() {
			start := time.Now()
			err := e.probe.collect(s, ch)
			if errors.Is(err, errNotApplicable) {
				return
			}
			ch <- prometheus.MustNewConstMetric(collectorDurationDesc, prometheus.GaugeValue, time.Since(start).Seconds(), t.cfg.Name, e.name)
			success := 1.0
			if err != nil {
				success = 0
				t.logger.Debug("probe failed", "collector", e.name, "err", err)
				if c.onError != nil {
					c.onError(e.name, err)
				}
			}
			ch <- prometheus.MustNewConstMetric(collectorSuccessDesc, prometheus.GaugeValue, success, t.cfg.Name, e.name)
		})
	}
	reachable := false
	for _, st := range s.statuses() {
		if st.up() {
			reachable = true
		} else if c.onMemberError != nil {
			c.onMemberError(st.endpoint, st.err)
		}
	}
	wg.Wait()
	ch <- prometheus.MustNewConstMetric(clusterReachableDesc, prometheus.GaugeValue, boolFloat(reachable), t.cfg.Name)
	for ep, n := range t.conn.RequestCounts() {
		ch <- prometheus.MustNewConstMetric(memberRequestsDesc, prometheus.CounterValue, float64(n), t.cfg.Name, ep)
	}
	return reachable
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// gauge is shorthand for a constant gauge sample.
func gauge(desc *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...)
}
