package config

import (
	"fmt"
	"sort"

	"github.com/etcd-monitor/etcd-monitor/benchrunner/slo"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
)

// BenchmarksConfig configures benchmark jobs.
type BenchmarksConfig struct {
	// ProfilesFile holds SLO profiles of one's own (benchrunner/slo's YAML, as `etcd-monitor
	// bench check --profiles` reads it), offered by name beside the built-in ones on every
	// cluster; a profile of a built-in's name replaces it.
	ProfilesFile string `yaml:"profiles_file,omitempty"`
	// Profiles are the profiles read from ProfilesFile when the configuration loads.
	Profiles []slo.Profile `yaml:"-"`
	// Clusters holds, by cluster name, the settings of one cluster's benchmarks. They sit
	// here rather than on the cluster entry because the entry's format is shared with the
	// exporter, which runs no benchmark.
	Clusters map[string]*ClusterBenchmarks `yaml:"clusters,omitempty"`
}

// ClusterBenchmarks are the benchmark settings of one cluster.
type ClusterBenchmarks struct {
	// ProfilesFile holds profiles offered on this cluster only; one of the name of a global
	// or built-in profile replaces it there.
	ProfilesFile string `yaml:"profiles_file,omitempty"`
	// Profiles are the profiles read from ProfilesFile when the configuration loads.
	Profiles []slo.Profile `yaml:"-"`
}

// ProfileSource says which layer a profile comes from.
type ProfileSource string

// The layers of profiles, the later overriding the earlier by name.
const (
	SourceBuiltin ProfileSource = "builtin"
	SourceConfig  ProfileSource = "config"
	SourceCluster ProfileSource = "cluster"
)

// SourcedProfile is a profile a cluster offers and the layer it comes from.
type SourcedProfile struct {
	slo.Profile
	Source ProfileSource
}

// CustomProfiles are the configured profiles of the cluster called name, for slo.Lookup:
// the cluster's own first, so that they win over the global file's of the same name.
func (b BenchmarksConfig) CustomProfiles(cluster string) []slo.Profile {
	var out []slo.Profile
	if cb := b.Clusters[cluster]; cb != nil {
		out = append(out, cb.Profiles...)
	}
	return append(out, b.Profiles...)
}

// ClusterProfiles are the profiles the cluster called name offers, by name, each from the
// layer that wins: the cluster's file over the global file over the built-ins.
func (b BenchmarksConfig) ClusterProfiles(cluster string) []SourcedProfile {
	byName := map[string]SourcedProfile{}
	for _, p := range slo.Builtin() {
		byName[p.Name] = SourcedProfile{Profile: p, Source: SourceBuiltin}
	}
	for _, p := range b.Profiles {
		byName[p.Name] = SourcedProfile{Profile: p, Source: SourceConfig}
	}
	if cb := b.Clusters[cluster]; cb != nil {
		for _, p := range cb.Profiles {
			byName[p.Name] = SourcedProfile{Profile: p, Source: SourceCluster}
		}
	}
	out := make([]SourcedProfile, 0, len(byName))
	for _, p := range byName {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// load reads the profiles files; the error names the field. Every cluster named under
// benchmarks.clusters must be configured.
func (b *BenchmarksConfig) load(clusters clusterconfig.Clusters) error {
	b.Profiles = nil
	if b.ProfilesFile != "" {
		ps, err := slo.LoadProfiles(b.ProfilesFile)
		if err != nil {
			return fmt.Errorf("benchmarks.profiles_file: %w", err)
		}
		b.Profiles = ps
	}
	names := make([]string, 0, len(b.Clusters))
	for name := range b.Clusters {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		field := fmt.Sprintf("benchmarks.clusters.%.64s", name)
		if !configured(clusters, name) {
			return fmt.Errorf("%s: no cluster of that name in clusters", field)
		}
		cb := b.Clusters[name]
		if cb == nil || cb.ProfilesFile == "" {
			return fmt.Errorf("%s.profiles_file: must be set", field)
		}
		ps, err := slo.LoadProfiles(cb.ProfilesFile)
		if err != nil {
			return fmt.Errorf("%s.profiles_file: %w", field, err)
		}
		cb.Profiles = ps
	}
	return nil
}

// configured reports whether clusters has one called name.
func configured(clusters clusterconfig.Clusters, name string) bool {
	for _, c := range clusters {
		if c.Name == name {
			return true
		}
	}
	return false
}
