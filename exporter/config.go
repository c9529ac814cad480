package exporter

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v2"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
)

// Config is the exporter's configuration file.
type Config struct {
	// Clusters are the etcd clusters to probe; each is also a /probe target.
	Clusters clusterconfig.Clusters `yaml:"clusters"`
	// Probes are the probe settings of every cluster.
	Probes ProbeSettings `yaml:"probes,omitempty"`
	// Overrides replace probe settings for one cluster, by name; unset fields keep the value
	// from `probes`.
	Overrides map[string]yaml.MapSlice `yaml:"overrides,omitempty"`

	// resolved holds Probes with each cluster's override applied.
	resolved map[string]ProbeSettings
}

// ProbeSettings tune the probes of a cluster.
type ProbeSettings struct {
	// HashKVInterval is how often member HashKVs are compared (expensive on large databases);
	// results are cached between scrapes. 0 disables the consistency check.
	HashKVInterval model.Duration `yaml:"hashkv_interval"`
	// KeyPrefixes are counted (count-only, serializable) on every scrape.
	KeyPrefixes []string `yaml:"key_prefixes,omitempty"`
	// Canary is the optional write canary.
	Canary CanarySettings `yaml:"canary,omitempty"`
}

// CanarySettings configure the write canary: put, get and delete of a key under Prefix attached
// to a lease of LeaseTTL, and the delay until a watch on the prefix sees the put.
type CanarySettings struct {
	// Enabled turns the canary on; it needs write access under Prefix.
	Enabled bool `yaml:"enabled"`
	// Prefix is where the canary's keys are written.
	Prefix string `yaml:"prefix,omitempty"`
	// LeaseTTL is the lease of the canary's keys, so that a key left by a crash goes away
	// (at least 2s).
	LeaseTTL model.Duration `yaml:"lease_ttl,omitempty"`
}

// Defaults of the probe settings.
const (
	DefaultHashKVInterval = 5 * time.Minute
	DefaultCanaryPrefix   = "/etcd-monitor/canary/"
	DefaultCanaryLeaseTTL = 30 * time.Second
)

func defaultProbeSettings() ProbeSettings {
	return ProbeSettings{
		HashKVInterval: model.Duration(DefaultHashKVInterval),
		Canary: CanarySettings{
			Prefix:   DefaultCanaryPrefix,
			LeaseTTL: model.Duration(DefaultCanaryLeaseTTL),
		},
	}
}

// UnmarshalYAML applies defaults and validates the settings of the `probes` section (an
// override is decoded and validated by applyOverride); the error names the field from the top.
func (p *ProbeSettings) UnmarshalYAML(unmarshal func(any) error) error {
	type plain ProbeSettings
	if err := unmarshal((*plain)(p)); err != nil {
		return err
	}
	if err := p.validate(); err != nil {
		return fmt.Errorf("probes.%w", err)
	}
	return nil
}

func (p *ProbeSettings) validate() error {
	for i, prefix := range p.KeyPrefixes {
		if prefix == "" {
			return fmt.Errorf("key_prefixes[%d]: must not be empty", i)
		}
	}
	if p.Canary.Enabled {
		if strings.TrimSpace(p.Canary.Prefix) == "" {
			return errors.New("canary.prefix: must not be empty when the canary is enabled")
		}
		if time.Duration(p.Canary.LeaseTTL) < 2*time.Second {
			return errors.New("canary.lease_ttl: must be at least 2s")
		}
	}
	return nil
}

// UnmarshalYAML applies defaults, decodes strictly and validates the whole file.
func (c *Config) UnmarshalYAML(unmarshal func(any) error) error {
	type plain Config
	*c = Config{Probes: defaultProbeSettings()}
	if err := unmarshal((*plain)(c)); err != nil {
		return err
	}
	if len(c.Clusters) == 0 {
		return errors.New("clusters: must not be empty")
	}
	c.resolved = map[string]ProbeSettings{}
	for _, cl := range c.Clusters {
		c.resolved[cl.Name] = c.Probes
	}
	for _, name := range slices.Sorted(maps.Keys(c.Overrides)) {
		if _, ok := c.Clusters.Get(name); !ok {
			return fmt.Errorf("overrides.%s: no cluster of that name", name)
		}
		settings, err := applyOverride(c.Probes, c.Overrides[name])
		if err != nil {
			return fmt.Errorf("overrides.%s.%w", name, err)
		}
		c.resolved[name] = settings
	}
	return nil
}

// applyOverride decodes an override on top of a copy of the base settings, so that fields the
// override leaves out keep their base value.
func applyOverride(base ProbeSettings, override yaml.MapSlice) (ProbeSettings, error) {
	raw, err := yaml.Marshal(override)
	if err != nil {
		return ProbeSettings{}, err
	}
	type plain ProbeSettings
	out := base
	out.KeyPrefixes = slices.Clone(base.KeyPrefixes)
	if err := yaml.UnmarshalStrict(raw, (*plain)(&out)); err != nil {
		return ProbeSettings{}, fmt.Errorf("%w", stripYAMLPrefix(err))
	}
	if err := out.validate(); err != nil {
		return ProbeSettings{}, err
	}
	return out, nil
}

// stripYAMLPrefix removes the "yaml: unmarshal errors:\n  line N:" preamble, whose line
// numbers refer to the re-encoded override rather than the file.
func stripYAMLPrefix(err error) error {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); strings.HasPrefix(msg, "yaml: unmarshal errors:") && i >= 0 {
		return errors.New(strings.TrimSpace(msg[i+2:]))
	}
	return err
}

// SettingsFor returns the probe settings of a cluster, override applied.
func (c *Config) SettingsFor(cluster string) ProbeSettings {
	if s, ok := c.resolved[cluster]; ok {
		return s
	}
	return c.Probes
}

// LoadConfig reads and checks a configuration file.
func LoadConfig(path string) (*Config, error) {
	var c Config
	if err := clusterconfig.DecodeFile(path, &c); err != nil {
		return nil, err
	}
	return &c, nil
}
