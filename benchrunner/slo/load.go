package slo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

// profilesFile is the YAML form of custom profiles:
//
//	profiles:
//	  - name: api-writes
//	    description: our API servers' write load
//	    runs:
//	      - command: put
//	        duration: 30s
//	        flags: {rate: "2000", clients: "100", conns: "10", val-size: "512"}
//	    rules: {min_throughput_ratio: 0.9, max_p99: 50ms, max_errors: 0}
type profilesFile struct {
	Profiles []ProfileYAML `yaml:"profiles"`
}

// ProfileYAML is one custom profile as written in YAML, for configuration files that embed
// profiles (a cluster's profiles in the opsproxy configuration); ToProfile checks it.
type ProfileYAML struct {
	// Name is 1 to 63 letters, digits, '.', '_' or '-'; a profile of a built-in's name
	// replaces it.
	Name string `yaml:"name"`
	// Description says what load the profile stands for.
	Description string `yaml:"description"`
	// Runs are the benchmark runs, one after the other; every rule applies to each run.
	Runs []StepYAML `yaml:"runs"`
	// Rules are the pass conditions.
	Rules RulesYAML `yaml:"rules"`
}

// StepYAML is one run of a ProfileYAML; duration is a Go duration ("30s").
type StepYAML struct {
	// Command is a benchmark command: put, range, txn-put, watch, ... (as `etcd-monitor bench`).
	Command string `yaml:"command"`
	// Args are the command's positional arguments (a range's key).
	Args []string `yaml:"args"`
	// Flags are etcd benchmark's flags by name without dashes (rate, clients, conns,
	// val-size, ...); connection settings are refused.
	Flags map[string]string `yaml:"flags"`
	// Duration runs the step for that long at flags.rate instead of flags.total requests.
	Duration string `yaml:"duration"`
}

// RulesYAML are a ProfileYAML's rules; durations are Go durations ("100ms"), max_errors
// defaults to 0 (no errors allowed) and -1 turns the error check off.
type RulesYAML struct {
	// MinThroughputRatio is the least throughput as a share of each run's flags.rate (0 to 1;
	// 0: not checked).
	MinThroughputRatio float64 `yaml:"min_throughput_ratio"`
	// MinThroughput is the least throughput in requests per second (0: not checked).
	MinThroughput float64 `yaml:"min_throughput"`
	// MaxSlowest bounds the slowest request (empty: not checked).
	MaxSlowest string `yaml:"max_slowest"`
	// MaxStddev bounds the standard deviation of the latency (empty: not checked).
	MaxStddev string `yaml:"max_stddev"`
	// MaxP99 bounds the 99th percentile latency (empty: not checked).
	MaxP99 string `yaml:"max_p99"`
	// MaxErrors is how many failed requests a run may have; -1 turns the check off.
	MaxErrors int64 `yaml:"max_errors"`
}

// maxProfilesFile bounds a profiles file: profiles are a few lines each.
const maxProfilesFile = 1 << 20

// profileName keeps names usable as a metric label and a URL path segment.
var profileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// LoadProfiles reads custom profiles from a YAML file; unknown keys are errors and a bad
// profile fails the load with its field named ("profiles[1].runs[0].flags: unknown flag: --rte").
func LoadProfiles(path string) ([]Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("profiles file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxProfilesFile+1))
	if err != nil {
		return nil, fmt.Errorf("profiles file %s: %w", path, err)
	}
	if len(b) > maxProfilesFile {
		return nil, fmt.Errorf("profiles file %s: larger than %d KiB", path, maxProfilesFile>>10)
	}
	ps, err := ParseProfiles(b)
	if err != nil {
		return nil, fmt.Errorf("profiles file %s: %w", path, err)
	}
	return ps, nil
}

// ParseProfiles decodes and checks custom profiles (the form LoadProfiles reads).
func ParseProfiles(data []byte) ([]Profile, error) {
	var f profilesFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("profiles: the file is empty")
		}
		return nil, fmt.Errorf("parse: %w", err)
	}
	if len(f.Profiles) == 0 {
		return nil, errors.New("profiles: must not be empty")
	}
	out := make([]Profile, 0, len(f.Profiles))
	seen := map[string]bool{}
	for i, py := range f.Profiles {
		p, err := py.ToProfile()
		if err != nil {
			return nil, fmt.Errorf("profiles[%d].%w", i, err)
		}
		if seen[p.Name] {
			return nil, fmt.Errorf("profiles[%d].name: %q is defined twice", i, p.Name)
		}
		seen[p.Name] = true
		out = append(out, p)
	}
	return out, nil
}

// ToProfile checks a profile written in YAML and returns it; errors name the field
// ("runs[0].duration: …").
func (py ProfileYAML) ToProfile() (Profile, error) {
	p := Profile{Name: py.Name, Description: strings.TrimSpace(py.Description)}
	if !profileName.MatchString(py.Name) {
		return p, fmt.Errorf("name: %q must be 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit", py.Name)
	}
	if len(py.Runs) == 0 {
		return p, errors.New("runs: must not be empty")
	}
	for j, sy := range py.Runs {
		s, err := sy.toStep()
		if err != nil {
			return p, fmt.Errorf("runs[%d].%w", j, err)
		}
		p.Runs = append(p.Runs, s)
	}
	rules, err := py.Rules.toRules()
	if err != nil {
		return p, fmt.Errorf("rules.%w", err)
	}
	if rules.MinThroughputRatio > 0 {
		for j, s := range p.Runs {
			if s.Rate() <= 0 {
				return p, fmt.Errorf("rules.min_throughput_ratio: runs[%d] has no flags.rate to take a share of", j)
			}
		}
	}
	p.Rules = rules
	return p, nil
}

func (sy StepYAML) toStep() (Step, error) {
	s := Step{Command: sy.Command, Args: sy.Args, Flags: sy.Flags}
	if sy.Command == "" {
		return s, errors.New("command: must not be empty")
	}
	if sy.Duration != "" {
		d, err := time.ParseDuration(sy.Duration)
		if err != nil || d <= 0 {
			return s, fmt.Errorf("duration: %q is not a positive duration (e.g. 30s)", sy.Duration)
		}
		if _, ok := sy.Flags["total"]; ok {
			return s, errors.New("duration: give either duration or flags.total, not both")
		}
		if s.Rate() <= 0 {
			return s, errors.New("duration: needs a positive flags.rate (the request total is rate × duration)")
		}
		s.Duration = d
	}
	for _, conn := range []string{"endpoints", "user", "password", "cert", "key", "cacert", "insecure-skip-tls-verify", "dial-timeout", "prefix", "write-out"} {
		if _, ok := sy.Flags[conn]; ok {
			return s, fmt.Errorf("flags.%s: a connection setting, which comes from the command line or the cluster's configuration, not from a profile", conn)
		}
	}
	if err := benchrunner.Validate(s.Options("")); err != nil {
		field := "flags"
		if !strings.HasPrefix(err.Error(), "--") && !strings.HasPrefix(err.Error(), "unknown flag") {
			field = "command"
		}
		return s, fmt.Errorf("%s: %w", field, err)
	}
	return s, nil
}

func (ry RulesYAML) toRules() (Rules, error) {
	r := Rules{MinThroughputRatio: ry.MinThroughputRatio, MinThroughput: ry.MinThroughput, MaxErrors: ry.MaxErrors}
	if r.MinThroughputRatio < 0 || r.MinThroughputRatio > 1 {
		return r, fmt.Errorf("min_throughput_ratio: %g must be between 0 and 1", r.MinThroughputRatio)
	}
	if r.MinThroughput < 0 {
		return r, fmt.Errorf("min_throughput: %g must not be negative", r.MinThroughput)
	}
	for _, f := range []struct {
		name string
		text string
		dst  *time.Duration
	}{{"max_slowest", ry.MaxSlowest, &r.MaxSlowest}, {"max_stddev", ry.MaxStddev, &r.MaxStddev}, {"max_p99", ry.MaxP99, &r.MaxP99}} {
		if f.text == "" {
			continue
		}
		d, err := time.ParseDuration(f.text)
		if err != nil || d <= 0 {
			return r, fmt.Errorf("%s: %q is not a positive duration (e.g. 100ms)", f.name, f.text)
		}
		*f.dst = d
	}
	return r, nil
}
