package config

import (
	"fmt"

	"github.com/etcd-monitor/etcd-monitor/benchrunner/slo"
)

// BenchmarksConfig configures benchmark jobs.
type BenchmarksConfig struct {
	// ProfilesFile holds SLO profiles of one's own (benchrunner/slo's YAML, as `etcd-monitor
	// bench check --profiles` reads it), offered by name beside the built-in ones; a profile
	// of a built-in's name replaces it.
	ProfilesFile string `yaml:"profiles_file,omitempty"`
	// Profiles are the profiles read from ProfilesFile when the configuration loads.
	Profiles []slo.Profile `yaml:"-"`
}

// load reads the profiles file; the error names the field.
func (b *BenchmarksConfig) load() error {
	b.Profiles = nil
	if b.ProfilesFile == "" {
		return nil
	}
	ps, err := slo.LoadProfiles(b.ProfilesFile)
	if err != nil {
		return fmt.Errorf("benchmarks.profiles_file: %w", err)
	}
	b.Profiles = ps
	return nil
}
