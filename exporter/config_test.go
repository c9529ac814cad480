package exporter

import (
	"slices"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/configtest"
)

func TestConfigAppliesDefaultsAndOverrides(t *testing.T) {
	cfg, err := LoadConfig("testdata/valid.yml")
	if err != nil {
		t.Fatal(err)
	}
	prod, dev := cfg.SettingsFor("prod"), cfg.SettingsFor("dev")
	if time.Duration(prod.HashKVInterval) != 10*time.Minute || time.Duration(dev.HashKVInterval) != 10*time.Minute {
		t.Errorf("hashkv_interval: prod %s, dev %s; want 10m for both", prod.HashKVInterval, dev.HashKVInterval)
	}
	if prod.Canary.Enabled || !dev.Canary.Enabled {
		t.Errorf("canary enabled: prod %t, dev %t; want only dev", prod.Canary.Enabled, dev.Canary.Enabled)
	}
	// The override sets only `enabled`: prefix and TTL keep their defaults, prefixes are inherited.
	if dev.Canary.Prefix != DefaultCanaryPrefix || time.Duration(dev.Canary.LeaseTTL) != DefaultCanaryLeaseTTL {
		t.Errorf("dev canary = %+v; want default prefix and lease TTL", dev.Canary)
	}
	if !slices.Equal(dev.KeyPrefixes, []string{"/registry/"}) {
		t.Errorf("dev key prefixes = %v", dev.KeyPrefixes)
	}
}

func TestConfigWithoutProbesSectionUsesDefaults(t *testing.T) {
	path := writeConfig(t, "clusters:\n  - name: a\n    endpoints: [http://127.0.0.1:2379]\n")
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.SettingsFor("a")
	if time.Duration(s.HashKVInterval) != DefaultHashKVInterval || s.Canary.Enabled {
		t.Errorf("settings = %+v; want defaults with the canary off", s)
	}
}

// Each invalid file fails at load with its exact message, which names the field.
func TestConfigRejectsInvalidFiles(t *testing.T) {
	want := map[string]string{
		"invalid-clusters-missing.yml":             "clusters: must not be empty",
		"invalid-cluster-endpoints-empty.yml":      "clusters[1].endpoints: must not be empty",
		"invalid-unknown-field.yml":                "field hashkv_intervall not found",
		"invalid-hashkv-negative.yml":              `not a valid duration string: "-1m"`,
		"invalid-key-prefix-empty.yml":             "probes.key_prefixes[1]: must not be empty",
		"invalid-canary-ttl-short.yml":             "probes.canary.lease_ttl: must be at least 2s",
		"invalid-override-unknown-cluster.yml":     "overrides.b: no cluster of that name",
		"invalid-override-unknown-field.yml":       "overrides.a.field enabeld not found",
		"invalid-override-canary-prefix-empty.yml": "overrides.a.canary.prefix: must not be empty when the canary is enabled",
	}
	configtest.CheckInvalidFiles(t, "testdata/invalid-*.yml", want, func(path string) error {
		_, err := LoadConfig(path)
		return err
	})
}
