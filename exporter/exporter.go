package exporter

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
)

// Options tune an Exporter beyond its configuration file.
type Options struct {
	// ConfigFile is re-read by Reload; empty when the configuration was built in code.
	ConfigFile string
	// Probes are the names of the probes to run; nil means those enabled by the
	// --collector.<name> flags (by default all of them).
	Probes []string
	// DefaultTimeout bounds a scrape whose request does not carry Prometheus's
	// X-Prometheus-Scrape-Timeout-Seconds header.
	DefaultTimeout time.Duration
	// TimeoutOffset is subtracted from Prometheus's scrape timeout, leaving time to send the answer.
	TimeoutOffset time.Duration
	// EnableLifecycle serves POST /-/reload (--web.enable-lifecycle); without it the route
	// answers 403, as Prometheus's does.
	EnableLifecycle bool
}

// Exporter probes the configured clusters on every scrape. It is safe for concurrent scrapes and
// reloads.
type Exporter struct {
	logger *slog.Logger
	opts   Options
	probes []*probeEntry

	mu      sync.RWMutex
	cfg     *Config
	targets []*target
	byName  map[string]*target

	self           *prometheus.Registry
	reloadOK       prometheus.Gauge
	reloadOKTime   prometheus.Gauge
	canaryIdentity string
}

// New returns an exporter for the configuration; a nil logger discards what it would log.
func New(cfg *Config, logger *slog.Logger, opts Options) (*Exporter, error) {
	if opts.DefaultTimeout <= 0 {
		opts.DefaultTimeout = 10 * time.Second
	}
	if opts.TimeoutOffset < 0 {
		return nil, fmt.Errorf("timeout offset: must not be negative")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	e := &Exporter{
		logger: logger,
		opts:   opts,
		byName: map[string]*target{},
		self:   prometheus.NewRegistry(),
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "config_last_reload_successful",
			Help: "Whether the last configuration reload attempt was successful.",
		}),
		reloadOKTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "config_last_reload_success_timestamp_seconds",
			Help: "Timestamp of the last successful configuration reload.",
		}),
	}
	if opts.Probes == nil {
		e.probes = sortedProbes(true)
	} else {
		for _, name := range opts.Probes {
			p, ok := probes[name]
			if !ok {
				return nil, fmt.Errorf("probe %q: no such probe", name)
			}
			e.probes = append(e.probes, p)
		}
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	e.canaryIdentity = fmt.Sprintf("%s-%d", host, os.Getpid())
	e.self.MustRegister(versioncollector.NewCollector(namespace), e.reloadOK, e.reloadOKTime)
	if err := e.applyConfig(cfg); err != nil {
		return nil, err
	}
	e.reloadOK.Set(1)
	e.reloadOKTime.SetToCurrentTime()
	return e, nil
}

// applyConfig switches to a new configuration. Clusters whose settings and files did not change
// keep their connections, leader history and HashKV cache; the others are closed. When a cluster's
// connection cannot be made (a TLS file that does not load), nothing changes and the error names
// the cluster.
func (e *Exporter) applyConfig(cfg *Config) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	byName := map[string]*target{}
	targets := make([]*target, 0, len(cfg.Clusters))
	var made []*target
	for i, c := range cfg.Clusters {
		settings := cfg.SettingsFor(c.Name)
		t, ok := e.byName[c.Name]
		if !ok || !t.sameConfig(c, settings) {
			var err error
			if t, err = newTarget(c, settings, e.logger, e.canaryIdentity); err != nil {
				for _, m := range made {
					m.close()
				}
				return fmt.Errorf("clusters[%d]: %w", i, err)
			}
			made = append(made, t)
		}
		byName[c.Name] = t
		targets = append(targets, t)
	}
	for name, old := range e.byName {
		if byName[name] != old {
			old.close()
		}
	}
	e.cfg, e.targets, e.byName = cfg, targets, byName
	return nil
}

// Reload re-reads the configuration file. A file that fails to load leaves the running
// configuration in place and sets etcd_monitor_config_last_reload_successful to 0.
func (e *Exporter) Reload() error {
	if e.opts.ConfigFile == "" {
		return fmt.Errorf("no configuration file to reload")
	}
	cfg, err := LoadConfig(e.opts.ConfigFile)
	if err == nil {
		err = e.applyConfig(cfg)
	}
	if err != nil {
		e.reloadOK.Set(0)
		e.logger.Error("reload failed; keeping the running configuration", "err", err)
		return err
	}
	e.reloadOK.Set(1)
	e.reloadOKTime.SetToCurrentTime()
	e.logger.Info("configuration reloaded", "clusters", len(cfg.Clusters))
	return nil
}

// Close releases every connection.
func (e *Exporter) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.targets {
		t.close()
	}
	e.targets, e.byName = nil, map[string]*target{}
}

// snapshot returns the current targets.
func (e *Exporter) snapshot() []*target {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.targets
}

func (e *Exporter) lookup(name string) (*target, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	t, ok := e.byName[name]
	return t, ok
}

// collector returns a collector that probes the given targets within ctx.
func (e *Exporter) collector(ctx context.Context, targets []*target) *clusterCollector {
	return &clusterCollector{ctx: ctx, targets: targets, probes: e.probes, logger: e.logger}
}
