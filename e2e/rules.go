package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/rules"
)

// writeRules renders our rule files from rules/config/settings.yml, changed by tweak (shorter
// `for:`, a shorter scrape interval), into dir.
func writeRules(t testing.TB, dir string, tweak func(*rules.Config)) {
	t.Helper()
	cfg, err := rules.LoadConfig(filepath.Join(repoRoot(t), "rules", "config", "settings.yml"))
	if err != nil {
		t.Fatalf("rules settings: %v", err)
	}
	tweak(cfg)
	files, err := rules.Generate(cfg)
	if err != nil {
		t.Fatalf("generate rules: %v", err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatalf("write rules: %v", err)
		}
	}
}

// shortenFor sets the `for:` of one alert at one severity; it fails the test when the settings
// have no such alert, so that a renamed alert cannot silently keep its long `for:`.
func shortenFor(t testing.TB, cfg *rules.Config, alert, severity string, d model.Duration) {
	t.Helper()
	l, ok := cfg.Alerts[alert][severity]
	if !ok {
		t.Fatalf("rules settings have no alert %s at severity %s", alert, severity)
	}
	l.For = d
	cfg.Alerts[alert][severity] = l
}
