package rules

import (
	"os"
	"strings"
	"testing"
)

func TestConfigRejectsInvalidSettings(t *testing.T) {
	valid, err := os.ReadFile(settingsFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, to, wantErr string
	}{
		{"unknown key", "scrape_interval: 30s", "scrape_interval: 30s\nscrape_intervall: 1m", "field scrape_intervall not found"},
		{"empty etcd selector", `etcd_selector: 'job=~".*etcd.*",job!~".*etcd-monitor.*"'`, `etcd_selector: ''`, "etcd_selector: must not be empty"},
		{"empty opsproxy selector", `opsproxy_selector: 'job=~".*opsproxy.*"'`, `opsproxy_selector: ' '`, "opsproxy_selector: must not be empty"},
		{"empty diskprobe selector", `diskprobe_selector: 'job=~".*diskprobe.*"'`, `diskprobe_selector: ''`, "diskprobe_selector: must not be empty"},
		{"no instance labels", "etcd_instance_labels: [instance]", "etcd_instance_labels: []", "etcd_instance_labels: must not be empty"},
		{"unknown severity", "etcdNoLeader:\n    critical: {for: 1m}", "etcdNoLeader:\n    page: {for: 1m}", "alerts.etcdNoLeader.page: severity must be one of critical, warning, info"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := string(valid)
			if !strings.Contains(src, tc.from) {
				t.Fatalf("settings file no longer contains %q", tc.from)
			}
			_, err := ParseConfig([]byte(strings.Replace(src, tc.from, tc.to, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestGenerateRejectsSettingsThatDoNotMatchTheAlerts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{"missing level", func(c *Config) { delete(c.Alerts, "etcdNoLeader") }, "alerts.etcdNoLeader.critical: missing"},
		{"level of no alert", func(c *Config) { c.Alerts["etcdNoLeader"]["warning"] = Level{For: 1} }, "alerts.etcdNoLeader.warning: no such alert"},
		{"zero for", func(c *Config) { c.Alerts["etcdNoLeader"]["critical"] = Level{} }, "alerts.etcdNoLeader.critical.for: must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(settingsFile)
			if err != nil {
				t.Fatal(err)
			}
			tc.mutate(cfg)
			_, err = Generate(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestGenerateAppliesSelectorsAndThresholdsFromSettings(t *testing.T) {
	cfg, err := LoadConfig(settingsFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg.EtcdSelector = `job="kube-etcd"`
	cfg.EtcdInstanceLabels = []string{"instance", "pod"}
	l := cfg.Alerts["etcdHighFsyncDurations"]["critical"]
	l.Threshold = 2
	cfg.Alerts["etcdHighFsyncDurations"]["critical"] = l
	files, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mixin := string(files[MixinAlertsFile])
	for _, want := range []string{
		`up{job="kube-etcd"}`,
		`without (instance, pod)`,
		"etcd_disk_wal_fsync_duration_seconds_bucket{job=\"kube-etcd\"}[5m]))\n          > 2\n",
	} {
		if !strings.Contains(mixin, want) {
			t.Errorf("generated mixin alerts lack %q", want)
		}
	}
	if strings.Contains(mixin, `job=~".*etcd.*"`) {
		t.Error("generated mixin alerts still use the default selector")
	}
}
