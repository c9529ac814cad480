package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/alertmanager"
	"github.com/etcd-monitor/etcd-monitor/rules"
)

// demoTargets are what the demo's Prometheus scrapes.
type demoTargets struct {
	// Members are etcd's client URLs (their /metrics), Exporter and Opsproxy host:port.
	Members  []string
	Exporter string
	Opsproxy string
	// Agents are the disk agents' base URLs by member.
	Agents map[string]string
}

// demoMonitoring is Prometheus, with the suite's rules, and Alertmanager, with its
// configuration, run by the demo as child processes when they are installed.
type demoMonitoring struct {
	// PrometheusURL and AlertmanagerURL are empty when that program did not start; Notes say why.
	PrometheusURL, AlertmanagerURL string
	// AlertsURL is Prometheus's page of the rules' alerts, as this Prometheus serves it.
	AlertsURL string
	Notes     []string
	procs     []*exec.Cmd
}

// prometheusBinaries and alertmanagerBinaries are the names the programs go by (Debian calls
// Alertmanager prometheus-alertmanager).
var (
	prometheusBinaries   = []string{"prometheus"}
	alertmanagerBinaries = []string{"prometheus-alertmanager", "alertmanager"}
)

// startDemoMonitoring starts Alertmanager and Prometheus under dir, each on a free loopback
// port, when their programs are on PATH, and waits until they are ready. A program that is
// missing or does not come up is a note, not an error: the demo goes on without it. The
// programs stop when ctx ends or Close is called.
func startDemoMonitoring(ctx context.Context, dir string, t demoTargets, logger *slog.Logger) *demoMonitoring {
	m := &demoMonitoring{}
	amBin, promBin := lookPath(alertmanagerBinaries), lookPath(prometheusBinaries)
	if amBin == "" {
		m.Notes = append(m.Notes, "alertmanager: not installed, skipped (Debian: apt-get install prometheus-alertmanager)")
	} else if addr, err := m.startAlertmanager(ctx, amBin, filepath.Join(dir, "alertmanager")); err != nil {
		m.Notes = append(m.Notes, "alertmanager: "+err.Error())
	} else {
		m.AlertmanagerURL = "http://" + addr
	}
	if promBin == "" {
		m.Notes = append(m.Notes, "prometheus: not installed, skipped (Debian: apt-get install prometheus)")
	} else if addr, err := m.startPrometheus(ctx, promBin, filepath.Join(dir, "prometheus"), t); err != nil {
		m.Notes = append(m.Notes, "prometheus: "+err.Error())
	} else {
		m.PrometheusURL = "http://" + addr
		m.AlertsURL = alertsPage(m.PrometheusURL)
	}
	for _, n := range m.Notes {
		logger.Debug("demo monitoring", "note", n)
	}
	return m
}

// startAlertmanager writes alertmanager.yml (receivers pointed at a closed loopback port, with
// placeholder secret files: the demo notifies nobody) and starts Alertmanager on it.
func (m *demoMonitoring) startAlertmanager(ctx context.Context, bin, dir string) (string, error) {
	if err := copyEmbedded(alertmanager.Files, dir); err != nil {
		return "", err
	}
	secrets := filepath.Join(dir, "secrets")
	if err := os.MkdirAll(secrets, 0o700); err != nil {
		return "", err
	}
	for name, value := range map[string]string{
		"smtp-password":         "demo",
		"slack-webhook-url":     "http://127.0.0.1:9/slack",
		"pagerduty-routing-key": "demo-routing-key",
	} {
		if err := os.WriteFile(filepath.Join(secrets, name), []byte(value), 0o600); err != nil {
			return "", err
		}
	}
	noTLS := false
	if err := alertmanager.WriteOverlay(filepath.Join(dir, "alertmanager.yml"), filepath.Join(dir, "demo.yml"), alertmanager.Overrides{
		SMTPSmarthost: "127.0.0.1:9", SMTPRequireTLS: &noTLS, SMTPAuthPasswordFile: filepath.Join(secrets, "smtp-password"),
		SlackAPIURLFile: filepath.Join(secrets, "slack-webhook-url"), PagerDutyURL: "http://127.0.0.1:9/pagerduty",
		PagerDutyRoutingKeyFile: filepath.Join(secrets, "pagerduty-routing-key"), TemplatesGlob: filepath.Join(dir, "templates", "*.tmpl"),
	}); err != nil {
		return "", err
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return "", err
	}
	// An empty cluster address turns Alertmanager's gossip off (it would take port 9094).
	return addr, m.start(ctx, bin, dir, addr, "--config.file="+filepath.Join(dir, "demo.yml"), "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=")
}

// startPrometheus writes prometheus.yml (the jobs named as rules/config/settings.yml expects:
// etcd, etcd-monitor, opsproxy, diskprobe) with the suite's rule files and starts Prometheus.
func (m *demoMonitoring) startPrometheus(ctx context.Context, bin, dir string, t demoTargets) (string, error) {
	if err := copyEmbedded(rules.Files, filepath.Join(dir, "rules")); err != nil {
		return "", err
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(demoPrometheusConfig(dir, t, strings.TrimPrefix(m.AlertmanagerURL, "http://"))), 0o600); err != nil {
		return "", err
	}
	return addr, m.start(ctx, bin, dir, addr, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
}

// demoPrometheusConfig is the demo's prometheus.yml: the README's scrape configuration for one
// cluster called demo.
func demoPrometheusConfig(dir string, t demoTargets, alertmanagerAddr string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\nrule_files:\n  - %s\n", filepath.Join(dir, "rules", "*.yml"))
	if alertmanagerAddr != "" {
		fmt.Fprintf(&b, "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [%q]\n", alertmanagerAddr)
	}
	b.WriteString("scrape_configs:\n  - job_name: etcd\n    static_configs:\n      - labels: {cluster: demo}\n        targets:\n")
	for _, m := range t.Members {
		if u, err := url.Parse(m); err == nil {
			fmt.Fprintf(&b, "          - %q\n", u.Host)
		}
	}
	fmt.Fprintf(&b, "  - job_name: etcd-monitor\n    metrics_path: /probe\n    params: {target: [demo]}\n    static_configs:\n      - targets: [%q]\n", t.Exporter)
	fmt.Fprintf(&b, "  - job_name: opsproxy\n    static_configs:\n      - targets: [%q]\n", t.Opsproxy)
	if len(t.Agents) > 0 {
		b.WriteString("  - job_name: diskprobe\n    static_configs:\n")
		for member, agent := range t.Agents {
			if u, err := url.Parse(agent); err == nil {
				fmt.Fprintf(&b, "      - labels: {cluster: demo, member: %q}\n        targets: [%q]\n", member, u.Host)
			}
		}
	}
	return b.String()
}

// start runs bin with args, its output in dir/log, and waits for GET /-/ready on addr.
func (m *demoMonitoring) start(ctx context.Context, bin, dir, addr string, args ...string) error {
	logFile, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return err
	}
	m.procs = append(m.procs, cmd)
	go func() {
		<-ctx.Done()
		_ = cmd.Process.Signal(os.Interrupt)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not become ready within 30s (its log: %s)", filepath.Base(bin), filepath.Join(dir, "log"))
}

// Close stops the programs and waits for them.
func (m *demoMonitoring) Close() {
	for _, cmd := range m.procs {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
}

// Lines are the demo's printed lines about the two programs.
func (m *demoMonitoring) Lines() string {
	var out []string
	if m.PrometheusURL != "" {
		out = append(out, "prometheus:     "+m.PrometheusURL+"   (the suite's rules loaded: "+m.AlertsURL+")")
	}
	if m.AlertmanagerURL != "" {
		out = append(out, "alertmanager:   "+m.AlertmanagerURL+"   (the suite's routing; receivers point at a closed port)")
	}
	out = append(out, m.Notes...)
	return strings.Join(out, "\n")
}

// alertsPage is the address of the alerts page of the Prometheus at base: /alerts in its React
// UI, /classic/alerts in Debian's package, which serves only the classic UI (its /alerts is 404).
// Without either, Prometheus's own start page.
func alertsPage(base string) string {
	for _, path := range []string{"/alerts", "/classic/alerts"} {
		resp, err := http.Get(base + path)
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return base + path
		}
	}
	return base
}

// lookPath returns the first of names found on PATH, or "".
func lookPath(names []string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// copyEmbedded writes every file of fsys into dir, keeping their paths.
func copyEmbedded(fsys fs.FS, dir string) error {
	return fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(path))
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600)
	})
}

// freeLoopbackAddr is a 127.0.0.1 address nothing listens on now.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", errors.New("no free loopback port")
	}
	defer l.Close()
	return l.Addr().String(), nil
}
