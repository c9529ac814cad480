package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// The demo's Prometheus loads every rule the suite ships and sends to the demo's Alertmanager,
// and scrapes the jobs the rules' selectors name. Prometheus and Alertmanager are the Debian
// programs `make test` installs.
func TestDemoMonitoringLoadsTheSuitesRulesAndAlertmanager(t *testing.T) {
	if lookPath(prometheusBinaries) == "" || lookPath(alertmanagerBinaries) == "" {
		if _, err := exec.LookPath("apt-get"); err == nil {
			t.Fatal("prometheus and prometheus-alertmanager are not installed: run scripts/install-test-deps.sh")
		}
		t.Skip("prometheus or alertmanager not installed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := startDemoMonitoring(ctx, t.TempDir(), demoTargets{
		Members: []string{"http://127.0.0.1:1"}, Exporter: "127.0.0.1:1", Opsproxy: "127.0.0.1:1",
		Agents: map[string]string{"m0": "http://127.0.0.1:1"},
	}, slog.New(slog.DiscardHandler))
	defer m.Close()
	if m.PrometheusURL == "" || m.AlertmanagerURL == "" {
		t.Fatalf("not started: %q", m.Notes)
	}
	if lines := m.Lines(); !strings.Contains(lines, "prometheus:     "+m.PrometheusURL) || !strings.Contains(lines, "alertmanager:   "+m.AlertmanagerURL) {
		t.Errorf("printed lines: %q", lines)
	}
	// The alerts page printed is one this Prometheus serves (Debian's has only the classic UI).
	if !strings.Contains(m.Lines(), m.AlertsURL) || !strings.Contains(m.AlertsURL, "alerts") {
		t.Errorf("alerts page %q, printed lines: %q", m.AlertsURL, m.Lines())
	}
	if resp, err := http.Get(m.AlertsURL); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s, the alerts page printed: %v %v", m.AlertsURL, resp, err)
	} else {
		resp.Body.Close()
	}

	var rules struct {
		Data struct {
			Groups []struct {
				Rules []struct{ Name string }
			}
		}
	}
	getJSON(t, m.PrometheusURL+"/api/v1/rules", &rules)
	var names []string
	for _, g := range rules.Data.Groups {
		for _, r := range g.Rules {
			names = append(names, r.Name)
		}
	}
	for _, want := range []string{"etcdNoLeader", "etcdHighFsyncDurations", "etcdMonitorDiskProbeSlow", "etcdMonitorBackupMissing"} {
		if !slices.Contains(names, want) {
			t.Errorf("Prometheus's rules lack %s (%d rules loaded)", want, len(names))
		}
	}

	// Prometheus lists its targets and finds its Alertmanager once discovery has run.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var targets struct {
			Data struct {
				ActiveTargets []struct{ Labels map[string]string }
			}
		}
		getJSON(t, m.PrometheusURL+"/api/v1/targets", &targets)
		jobs := map[string]bool{}
		for _, tg := range targets.Data.ActiveTargets {
			jobs[tg.Labels["job"]] = true
		}
		var ams struct {
			Data struct {
				ActiveAlertmanagers []struct{ URL string }
			}
		}
		getJSON(t, m.PrometheusURL+"/api/v1/alertmanagers", &ams)
		found := len(ams.Data.ActiveAlertmanagers) == 1 && strings.HasPrefix(ams.Data.ActiveAlertmanagers[0].URL, m.AlertmanagerURL)
		if found && jobs["etcd"] && jobs["etcd-monitor"] && jobs["opsproxy"] && jobs["diskprobe"] {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus's jobs %v (want etcd, etcd-monitor, opsproxy, diskprobe) and Alertmanagers %+v (want %s)",
				jobs, ams.Data.ActiveAlertmanagers, m.AlertmanagerURL)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
