package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// PrometheusConfig is what the test's Prometheus scrapes, evaluates and notifies.
type PrometheusConfig struct {
	// Interval is the global scrape and rule evaluation interval.
	Interval time.Duration
	// RulesDir holds the rule files (*.yml) to load.
	RulesDir string
	// Alertmanager is the host:port alerts are sent to.
	Alertmanager string
	// Cluster is the value of the `cluster` label of every target.
	Cluster string
	// EtcdJob and EtcdTargets are the job name and host:port of etcd's own /metrics, one per member.
	EtcdJob     string
	EtcdTargets []string
	// ExporterJob and ExporterAddr are the job name and host:port of the exporter, scraped in the
	// multi-target pattern at /probe?target=<Cluster>, every ExporterInterval.
	ExporterJob      string
	ExporterAddr     string
	ExporterInterval time.Duration
}

// Prometheus is a running Prometheus server.
type Prometheus struct {
	URL  string
	proc *process
	cfg  PrometheusConfig
}

// StartPrometheus starts the Prometheus server of the Debian package (the test fails when it is
// not installed) on a free loopback port with temporary storage, and waits until it is ready.
// On failure its log tail and alert state are written to the test log.
func StartPrometheus(ctx context.Context, t testing.TB, cfg PrometheusConfig) *Prometheus {
	t.Helper()
	bin, err := findProgram("prometheus")
	if err != nil {
		t.Fatalf("prometheus: %v", err)
	}
	dir := t.TempDir()
	b, err := yaml.Marshal(prometheusYAML(cfg))
	if err != nil {
		t.Fatalf("encode prometheus.yml: %v", err)
	}
	cfgFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, b, 0o644); err != nil {
		t.Fatalf("write prometheus.yml: %v", err)
	}
	proc, addr := startServer(ctx, t, "prometheus", bin, func(addr string) []string {
		return []string{
			"--config.file=" + cfgFile,
			"--storage.tsdb.path=" + filepath.Join(dir, "data"),
			"--web.listen-address=" + addr,
			// Resend firing alerts often, so that Alertmanager sees annotation changes quickly.
			"--rules.alert.resend-delay=" + model.Duration(cfg.Interval).String(),
			"--log.level=debug",
		}
	}, "/-/ready")
	p := &Prometheus{URL: "http://" + addr, cfg: cfg, proc: proc}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		t.Logf("prometheus.yml:\n%s", b)
		t.Logf("prometheus log (tail):\n%s", tail(p.proc.logs.String(), 32<<10))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if body, err := get(ctx, p.URL+"/api/v1/alerts"); err != nil {
			t.Logf("prometheus /api/v1/alerts: %v", err)
		} else {
			t.Logf("prometheus /api/v1/alerts:\n%s", body)
		}
	})
	return p
}

func prometheusYAML(c PrometheusConfig) map[string]any {
	interval := model.Duration(c.Interval).String()
	return map[string]any{
		"global": map[string]any{
			"scrape_interval":     interval,
			"scrape_timeout":      interval,
			"evaluation_interval": interval,
		},
		"rule_files": []string{filepath.Join(c.RulesDir, "*.yml")},
		"alerting": map[string]any{
			"alertmanagers": []any{map[string]any{
				"static_configs": []any{map[string]any{"targets": []string{c.Alertmanager}}},
			}},
		},
		"scrape_configs": []any{
			map[string]any{
				"job_name": c.EtcdJob,
				"static_configs": []any{map[string]any{
					"targets": c.EtcdTargets,
					"labels":  map[string]string{"cluster": c.Cluster},
				}},
			},
			// The multi-target pattern: the target is a cluster name passed as ?target=, which also
			// becomes the `cluster` label (so the exporter's own `up` has it). The exporter's series
			// carry the same `cluster`; honor_labels keeps theirs rather than renaming it.
			map[string]any{
				"job_name":        c.ExporterJob,
				"metrics_path":    "/probe",
				"honor_labels":    true,
				"scrape_interval": model.Duration(c.ExporterInterval).String(),
				"scrape_timeout":  model.Duration(c.ExporterInterval).String(),
				"static_configs":  []any{map[string]any{"targets": []string{c.Cluster}}},
				"relabel_configs": []any{
					map[string]any{"source_labels": []string{"__address__"}, "target_label": "__param_target"},
					map[string]any{"source_labels": []string{"__param_target"}, "target_label": "cluster"},
					map[string]any{"target_label": "__address__", "replacement": c.ExporterAddr},
				},
			},
		},
	}
}

// WaitReadyToAlert waits until every target is up, the rules are loaded and Alertmanager has
// been discovered: from then on, a fault shows as a change of state rather than as missing data.
func (p *Prometheus) WaitReadyToAlert(ctx context.Context, t testing.TB, alerts ...string) {
	t.Helper()
	want := len(p.cfg.EtcdTargets) + 1
	poll(ctx, t, "prometheus targets up", func(ctx context.Context) error {
		var r struct {
			Data struct {
				ActiveTargets []struct {
					ScrapeURL string `json:"scrapeUrl"`
					Health    string `json:"health"`
					LastError string `json:"lastError"`
				} `json:"activeTargets"`
			} `json:"data"`
		}
		if err := getJSON(ctx, p.URL+"/api/v1/targets?state=active", &r); err != nil {
			return err
		}
		if n := len(r.Data.ActiveTargets); n != want {
			return fmt.Errorf("%d active targets, want %d", n, want)
		}
		for _, tg := range r.Data.ActiveTargets {
			if tg.Health != "up" {
				return fmt.Errorf("target %s is %q: %s", tg.ScrapeURL, tg.Health, tg.LastError)
			}
		}
		return nil
	})
	poll(ctx, t, "prometheus rules loaded", func(ctx context.Context) error {
		var r struct {
			Data struct {
				Groups []struct {
					Rules []struct {
						Name string `json:"name"`
					} `json:"rules"`
				} `json:"groups"`
			} `json:"data"`
		}
		if err := getJSON(ctx, p.URL+"/api/v1/rules?type=alert", &r); err != nil {
			return err
		}
		var loaded []string
		for _, g := range r.Data.Groups {
			for _, rule := range g.Rules {
				loaded = append(loaded, rule.Name)
			}
		}
		for _, a := range alerts {
			if !slices.Contains(loaded, a) {
				return fmt.Errorf("alerting rule %s not loaded", a)
			}
		}
		return nil
	})
	poll(ctx, t, "prometheus discovers alertmanager", func(ctx context.Context) error {
		var r struct {
			Data struct {
				Active []struct {
					URL string `json:"url"`
				} `json:"activeAlertmanagers"`
			} `json:"data"`
		}
		if err := getJSON(ctx, p.URL+"/api/v1/alertmanagers", &r); err != nil {
			return err
		}
		if len(r.Data.Active) == 0 {
			return fmt.Errorf("no active alertmanager")
		}
		return nil
	})
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
