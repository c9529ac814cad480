package jobkinds

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/benchrunner/slo"
)

// Bounds of a benchmark job's custom run: etcd's tool has a few dozen flags and short values,
// so anything larger is a mistake or an attack on the record.
const (
	maxBenchmarkFlags    = 64
	maxBenchmarkArgs     = 2
	maxBenchmarkValueLen = 256
)

// benchmarkParams are the parameters of a "benchmark" job: a profile by name, or one
// command with etcd benchmark's flags. The connection (endpoints, TLS, credentials) is the
// configured cluster's and the key prefix is the job's own; neither can be given.
type benchmarkParams struct {
	// Profile names an SLO profile (check perf's s, m, l, xl, or k8s-large); its runs and
	// rules decide the verdict.
	Profile string `json:"profile,omitempty"`
	// Command, Args and Flags are one custom run, as `etcd-monitor bench COMMAND ARGS --FLAG=VALUE`.
	Command string            `json:"command,omitempty"`
	Args    []string          `json:"args,omitempty"`
	Flags   map[string]string `json:"flags,omitempty"`
	// Force runs the benchmark on a cluster configured as protected.
	Force bool `json:"force,omitempty"`

	// resolved is the profile the job runs: the named one (built-in or configured), or a
	// one-run profile of the custom command without rules (so no verdict).
	resolved slo.Profile
}

// profiles are the configured profiles of the cluster called name, or of every cluster when
// name is empty (none without Deps.Profiles).
func (d Deps) profiles(cluster string) []slo.Profile {
	if d.Profiles == nil {
		return nil
	}
	return d.Profiles(cluster)
}

// parseBenchmarkParams decodes and checks a benchmark job's parameters against the built-in
// profiles and those the configuration offers on cluster (Deps.Profiles); with no cluster,
// a profile offered on any cluster passes, and admitBenchmark checks it against the job's.
func (d Deps) parseBenchmarkParams(cluster string, raw json.RawMessage) (benchmarkParams, error) {
	var p benchmarkParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	switch {
	case p.Profile == "" && p.Command == "":
		return p, errors.New("profile: name a profile or give a command")
	case p.Profile != "" && (p.Command != "" || len(p.Args) > 0 || len(p.Flags) > 0):
		return p, errors.New("profile: a profile sets its own command and flags; give either profile or command")
	case p.Profile != "":
		if len(p.Profile) > maxBenchmarkValueLen {
			return p, fmt.Errorf("profile: longer than %d characters", maxBenchmarkValueLen)
		}
		prof, err := slo.Lookup(p.Profile, d.profiles(cluster))
		if err != nil {
			return p, err
		}
		p.resolved = prof
		return p, nil
	}
	if len(p.Args) > maxBenchmarkArgs {
		return p, fmt.Errorf("args: at most %d", maxBenchmarkArgs)
	}
	for i, a := range p.Args {
		if len(a) > maxBenchmarkValueLen {
			return p, fmt.Errorf("args[%d]: longer than %d characters", i, maxBenchmarkValueLen)
		}
	}
	if len(p.Flags) > maxBenchmarkFlags {
		return p, fmt.Errorf("flags: at most %d", maxBenchmarkFlags)
	}
	names := make([]string, 0, len(p.Flags))
	for n := range p.Flags {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if len(n) > maxBenchmarkValueLen || len(p.Flags[n]) > maxBenchmarkValueLen {
			return p, fmt.Errorf("flags.%.64s: longer than %d characters", n, maxBenchmarkValueLen)
		}
	}
	// The error names the flag as etcd's tool does ("--total: must be positive").
	p.resolved = slo.Profile{Name: CustomProfile, Runs: []slo.Step{{Command: p.Command, Args: p.Args, Flags: p.Flags}}}
	if err := benchrunner.Validate(p.resolved.Runs[0].Options(benchrunner.DefaultPrefix)); err != nil {
		return p, fmt.Errorf("flags: %w", err)
	}
	return p, nil
}

// CustomProfile is the result name of a benchmark job that ran a command rather than a profile.
const CustomProfile = "custom"
