package backupapi

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Bounds of a scrape of the backup metrics: the locations and the store are read at most once
// per metricsMaxAge (scrapes in between get the same figures), for at most metricsTimeout.
const (
	metricsMaxAge  = time.Minute
	metricsTimeout = 10 * time.Second
)

var labels = []string{"cluster", "location"}

var (
	descLastSuccess = prometheus.NewDesc("etcd_monitor_backup_last_success_timestamp_seconds",
		"When the last successful backup job (for an external location: inspection) of the cluster to the location finished, in Unix seconds; absent before the first.", labels, nil)
	descLastFailure = prometheus.NewDesc("etcd_monitor_backup_last_failure_timestamp_seconds",
		"When the last failed backup job (for an external location: inspection) of the cluster to the location finished, in Unix seconds; absent when none failed.", labels, nil)
	descNewest = prometheus.NewDesc("etcd_monitor_backup_newest_timestamp_seconds",
		"When the newest backup of the cluster in the location was stored, in Unix seconds; absent when it holds none.", labels, nil)
	descNewestSize = prometheus.NewDesc("etcd_monitor_backup_newest_size_bytes",
		"Stored size of the newest backup of the cluster in the location.", labels, nil)
	descPreviousSize = prometheus.NewDesc("etcd_monitor_backup_previous_size_bytes",
		"Stored size of the backup before the newest one; absent when there is only one.", labels, nil)
	descCount = prometheus.NewDesc("etcd_monitor_backup_objects",
		"Backups of the cluster the location holds.", labels, nil)
	descNewestVerified = prometheus.NewDesc("etcd_monitor_backup_newest_verified",
		"Whether the newest backup of the cluster in the location passed its latest verification (1) or failed it or was not verified yet (0).", labels, nil)
	descDrillSuccess = prometheus.NewDesc("etcd_monitor_backup_drill_success",
		"Whether the latest restore drill of a backup of the cluster in the location succeeded (1) or failed (0); absent when never drilled.", labels, nil)
	descDrillTime = prometheus.NewDesc("etcd_monitor_backup_drill_timestamp_seconds",
		"When the latest restore drill of a backup of the cluster in the location finished, in Unix seconds; absent when never drilled.", labels, nil)
	descMaxAge = prometheus.NewDesc("etcd_monitor_backup_max_age_seconds",
		"The configured max_age of the cluster's backups in the location: a newest backup older than this is missing.", labels, nil)
	descExternal = prometheus.NewDesc("etcd_monitor_backup_external",
		"Whether another tool fills the location and etcd-monitor only watches it (1) or etcd-monitor makes the backups (0).", labels, nil)
)

// Collector exposes, per cluster and backup location of the served configuration, what the
// location holds and what the history store says of it, read at scrape time so that every
// opsproxy replica shows the same figures. Labels are the configured names only: no path,
// bucket credential or key reaches /metrics.
type Collector struct {
	src    Source
	st     store.BackupStore
	logger *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	readAt  time.Time
	metrics []prometheus.Metric
	// listed keeps the last listing of each target, shown while its location cannot be read.
	listed map[[2]string][]location.Object
}

var _ prometheus.Collector = (*Collector)(nil)

// NewCollector reads the configured backups from src and their events from st.
func NewCollector(src Source, st store.BackupStore, logger *slog.Logger) *Collector {
	return &Collector{src: src, st: st, logger: logger, now: time.Now, listed: map[[2]string][]location.Object{}}
}

// Reload makes the next scrape read again, with the configuration served now (call it after a
// reload, so that a location added or removed shows at once).
func (c *Collector) Reload() {
	c.mu.Lock()
	c.readAt = time.Time{}
	c.mu.Unlock()
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descLastSuccess, descLastFailure, descNewest, descNewestSize, descPreviousSize,
		descCount, descNewestVerified, descDrillSuccess, descDrillTime, descMaxAge, descExternal} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. While the store does not answer, the figures of the
// last read stay and the failure is logged.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); now.Sub(c.readAt) >= metricsMaxAge {
		ctx, cancel := context.WithTimeout(context.Background(), metricsTimeout)
		ms, err := c.read(ctx)
		cancel()
		if err != nil {
			c.logger.Warn("backup metrics: history store unavailable; showing the last figures read", "err", err)
		} else {
			c.metrics, c.readAt = ms, now
		}
	}
	for _, m := range c.metrics {
		ch <- m
	}
}

func (c *Collector) read(ctx context.Context) ([]prometheus.Metric, error) {
	var out []prometheus.Metric
	gauge := func(d *prometheus.Desc, v float64, t Target) {
		out = append(out, prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, t.Cluster, t.Location))
	}
	stamp := func(d *prometheus.Desc, at time.Time, t Target) {
		if !at.IsZero() {
			gauge(d, float64(at.UnixNano())/1e9, t)
		}
	}
	targets := c.src.Targets()
	seen := make(map[[2]string]bool, len(targets))
	for _, t := range targets {
		key := [2]string{t.Cluster, t.Location}
		seen[key] = true
		h, err := readHistory(ctx, c.st, t)
		if err != nil {
			return nil, err
		}
		gauge(descMaxAge, t.MaxAge.Seconds(), t)
		gauge(descExternal, boolValue(t.External), t)
		stamp(descLastSuccess, h.lastSuccess, t)
		stamp(descLastFailure, h.lastFailure, t)
		if h.lastDrill != nil {
			gauge(descDrillSuccess, boolValue(h.lastDrill.OK), t)
			stamp(descDrillTime, h.lastDrill.At, t)
		}
		objs, listed := c.list(ctx, t)
		if !listed {
			// Never listed: the newest backup the store knows of, without a count.
			if newest, ok := newestMade(h); ok {
				objs = []location.Object{newest}
			}
		} else {
			gauge(descCount, float64(len(objs)), t)
		}
		if len(objs) == 0 {
			continue
		}
		stamp(descNewest, objs[0].ModTime, t)
		gauge(descNewestSize, float64(objs[0].Size), t)
		gauge(descNewestVerified, boolValue(h.verified[objs[0].Name].OK), t)
		if len(objs) > 1 {
			gauge(descPreviousSize, float64(objs[1].Size), t)
		}
	}
	for key := range c.listed {
		if !seen[key] { // removed from the configuration
			delete(c.listed, key)
		}
	}
	return out, nil
}

// list lists the cluster's backups in t's location, newest first; while it cannot be read, the
// last listing (listed false when there is none).
func (c *Collector) list(ctx context.Context, t Target) (objs []location.Object, listed bool) {
	key := [2]string{t.Cluster, t.Location}
	e, ok, err := c.src.Engine(t.Cluster, t.Location)
	if err == nil && ok {
		if objs, err = e.List(ctx); err == nil {
			c.listed[key] = objs
			return objs, true
		}
	}
	if err != nil {
		c.logger.Warn("backup metrics: location cannot be listed; showing its last listing", "cluster", t.Cluster, "location", t.Location, "err", err)
	}
	objs, listed = c.listed[key]
	return objs, listed
}

// newestMade is the newest backup the history says etcd-monitor made.
func newestMade(h history) (location.Object, bool) {
	var newest location.Object
	found := false
	for name, e := range h.made {
		at := e.FinishedAt
		if !found || at.After(newest.ModTime) {
			newest, found = location.Object{Name: name, Size: e.Size, ModTime: at}, true
		}
	}
	return newest, found
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
