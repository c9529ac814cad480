package rules

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Config is the content of config.yml: everything a user adapts to their Prometheus.
type Config struct {
	// EtcdSelector selects etcd's own /metrics series (the members scraped directly); it must
	// keep the exporter's job out.
	EtcdSelector string `yaml:"etcd_selector"`
	// ExporterSelector selects the etcd-monitor exporter's series.
	ExporterSelector string `yaml:"exporter_selector"`
	// OpsproxySelector selects opsproxy's own /metrics series.
	OpsproxySelector string `yaml:"opsproxy_selector"`
	// DiskprobeSelector selects the series of the diskprobe agents (etcd-monitor diskprobe serve).
	DiskprobeSelector string `yaml:"diskprobe_selector"`
	// EtcdInstanceLabels identify one etcd member in etcd's own series; they are aggregated
	// away for cluster-wide alerts (on Kubernetes usually [instance, pod]).
	EtcdInstanceLabels []string `yaml:"etcd_instance_labels"`
	// ScrapeInterval is Prometheus's scrape interval; rate windows are derived from it.
	ScrapeInterval model.Duration `yaml:"scrape_interval"`
	// RunbookBaseURL makes every alert's runbook_url: <runbook_base_url>#<alertname in lower case>.
	RunbookBaseURL string `yaml:"runbook_base_url"`
	// DashboardURL is the dashboard_url annotation of cluster alerts; Prometheus templates
	// ({{ $labels.cluster }}) are allowed.
	DashboardURL string `yaml:"dashboard_url"`
	// ServiceDashboardURL is the dashboard_url of alerts about opsproxy (scope service).
	ServiceDashboardURL string `yaml:"service_dashboard_url"`
	// Alerts sets, by alert name and severity (critical, warning, info), each alert's level;
	// an alert or severity left out is not generated.
	Alerts map[string]map[string]Level `yaml:"alerts"`
}

// Level is the setting of one alert at one severity.
type Level struct {
	// For is the alert's `for:`.
	For model.Duration `yaml:"for"`
	// Threshold is the alert's threshold, in the unit of its expression (see the comment of
	// each alert in settings.yml).
	Threshold float64 `yaml:"threshold,omitempty"`
	// RevisionThreshold is the revision lag of etcdMonitorMemberLagging.
	RevisionThreshold float64 `yaml:"revision_threshold,omitempty"`
	// MinBytes is the database size below which etcdDatabaseHighFragmentationRatio stays quiet.
	MinBytes float64 `yaml:"min_bytes,omitempty"`
}

// Severities an alert may have, most urgent first.
var Severities = []string{"critical", "warning", "info"}

// LoadConfig reads and validates a settings file; unknown keys are errors.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rules config: %w", err)
	}
	return ParseConfig(b)
}

// ParseConfig decodes settings strictly and validates them.
func ParseConfig(b []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("parse rules config: %w", err)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("rules config: %w", err)
	}
	return &c, nil
}

func (c *Config) validate() error {
	var errs []error
	for name, v := range map[string]string{
		"etcd_selector": c.EtcdSelector, "exporter_selector": c.ExporterSelector, "opsproxy_selector": c.OpsproxySelector,
		"diskprobe_selector": c.DiskprobeSelector,
		"runbook_base_url":   c.RunbookBaseURL,
	} {
		if strings.TrimSpace(v) == "" {
			errs = append(errs, fmt.Errorf("%s: must not be empty", name))
		}
	}
	if len(c.EtcdInstanceLabels) == 0 {
		errs = append(errs, errors.New("etcd_instance_labels: must not be empty"))
	}
	if c.ScrapeInterval <= 0 {
		errs = append(errs, errors.New("scrape_interval: must be positive"))
	}
	for alert, levels := range c.Alerts {
		for sev := range levels {
			if !slices.Contains(Severities, sev) {
				errs = append(errs, fmt.Errorf("alerts.%s.%s: severity must be one of %s", alert, sev, strings.Join(Severities, ", ")))
			}
		}
	}
	return errors.Join(errs...)
}

// level returns the setting of alert at severity, or an error naming the missing key.
func (c *Config) level(alert, severity string) (Level, error) {
	l, ok := c.Alerts[alert][severity]
	if !ok {
		return Level{}, fmt.Errorf("alerts.%s.%s: missing", alert, severity)
	}
	if l.For <= 0 {
		return Level{}, fmt.Errorf("alerts.%s.%s.for: must be positive", alert, severity)
	}
	return l, nil
}
