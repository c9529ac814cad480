package benchapi

import (
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/benchrunner/slo"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// ProfileList is the answer of GET /clusters/{cluster}/benchmark-profiles.
type ProfileList struct {
	Cluster  string    `json:"cluster"`
	Profiles []Profile `json:"profiles"`
}

// Profile is an SLO profile a cluster offers, as the Benchmarks page shows it.
type Profile struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Source is the layer the profile comes from: builtin, config (benchmarks.profiles_file)
	// or cluster (the cluster's benchmarks.clusters file).
	Source string        `json:"source"`
	Steps  []ProfileStep `json:"steps"`
	Rules  ProfileRules  `json:"rules"`
}

// ProfileStep is one run of a profile: its command, its offered rate (0: unlimited) and how
// long it runs at that rate (0: it runs a count of requests).
type ProfileStep struct {
	Command         string  `json:"command"`
	Rate            float64 `json:"rate"`
	DurationSeconds float64 `json:"duration_seconds"`
}

// ProfileRules are a profile's pass conditions; a zero field is not checked, except
// max_errors, where zero allows none and a negative value turns the check off.
type ProfileRules struct {
	MinThroughputRatio float64 `json:"min_throughput_ratio"`
	MinThroughput      float64 `json:"min_throughput"`
	MaxSlowestSeconds  float64 `json:"max_slowest_seconds"`
	MaxStddevSeconds   float64 `json:"max_stddev_seconds"`
	MaxP99Seconds      float64 `json:"max_p99_seconds"`
	MaxErrors          int64   `json:"max_errors"`
}

// listProfiles answers GET /clusters/{cluster}/benchmark-profiles: the profiles a benchmark
// job on the cluster may name, from the configuration served now. A token limited to other
// clusters is refused, a cluster not configured is 404.
func (s *api) listProfiles(c *core.Call) (any, error) {
	cluster := c.R.PathValue("cluster")
	c.Rec.Cluster = cluster
	if !c.P.MayUseCluster(cluster) {
		return nil, apihttp.Deniedf("token %s may not act on cluster %q", c.P.Token.ID, cluster)
	}
	// One load's configuration and connections, so a reload meanwhile cannot mix them.
	st := s.State()
	if _, ok := st.Clusters[cluster]; !ok {
		return nil, apihttp.Errorf(http.StatusNotFound, "cluster: no cluster %q", cluster)
	}
	sourced := st.Cfg.Benchmarks.ClusterProfiles(cluster)
	out := ProfileList{Cluster: cluster, Profiles: make([]Profile, 0, len(sourced))}
	for _, p := range sourced {
		out.Profiles = append(out.Profiles, profileOf(p))
	}
	return out, nil
}

// profileOf is p as answered.
func profileOf(p config.SourcedProfile) Profile {
	out := Profile{Name: p.Name, Description: p.Description, Source: string(p.Source), Steps: make([]ProfileStep, 0, len(p.Runs)), Rules: rulesOf(p.Rules)}
	for _, r := range p.Runs {
		out.Steps = append(out.Steps, ProfileStep{Command: r.Command, Rate: r.Rate(), DurationSeconds: r.Duration.Seconds()})
	}
	return out
}

// rulesOf is r as answered, durations in seconds.
func rulesOf(r slo.Rules) ProfileRules {
	return ProfileRules{
		MinThroughputRatio: r.MinThroughputRatio, MinThroughput: r.MinThroughput,
		MaxSlowestSeconds: r.MaxSlowest.Seconds(), MaxStddevSeconds: r.MaxStddev.Seconds(), MaxP99Seconds: r.MaxP99.Seconds(),
		MaxErrors: r.MaxErrors,
	}
}
