package slo

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

// Profile is a named load and the rules its runs must meet. A profile may need several runs
// (reads and writes); every rule applies to each run.
type Profile struct {
	Name        string
	Description string
	Runs        []Step
	Rules       Rules
}

// Step is one run of a profile, fed to benchrunner.Run: a benchmark command, its positional
// arguments and its flags by etcd benchmark's names. Duration, when set, runs the step for
// that long at its rate (the request total becomes rate × seconds), as check perf runs for a
// time rather than a count. A range step without a key reads the benchmark prefix.
type Step struct {
	Command  string
	Args     []string
	Flags    map[string]string
	Duration time.Duration
}

// Rules are the pass conditions of a profile; a zero field is not checked, except MaxErrors,
// where zero means no error is allowed and a negative value turns the check off.
type Rules struct {
	// MinThroughputRatio is the least throughput as a share of the step's --rate (check perf:
	// more than 0.9).
	MinThroughputRatio float64
	// MinThroughput is the least throughput in requests per second.
	MinThroughput float64
	// MaxSlowest, MaxStddev and MaxP99 bound the latency (from each request's intended start).
	MaxSlowest, MaxStddev, MaxP99 time.Duration
	// MaxErrors is how many failed requests a run may have.
	MaxErrors int64
}

// Rate is the step's offered rate in requests per second (its --rate flag), or 0 when the step
// does not limit its rate.
func (s Step) Rate() float64 {
	r, err := strconv.ParseFloat(s.Flags["rate"], 64)
	if err != nil || r < 0 {
		return 0
	}
	return r
}

// Options are the engine options of the step, writing under prefix; the caller adds the
// client configuration and progress callback.
func (s Step) Options(prefix string) benchrunner.Options {
	if prefix == "" {
		prefix = benchrunner.DefaultPrefix
	}
	flags := make(map[string]string, len(s.Flags)+1)
	for k, v := range s.Flags {
		flags[k] = v
	}
	if s.Duration > 0 {
		total := math.Ceil(s.Rate() * s.Duration.Seconds())
		flags["total"] = strconv.FormatInt(int64(math.Max(total, 1)), 10)
	}
	args := append([]string(nil), s.Args...)
	if s.Command == "range" && len(args) == 0 {
		args = []string{prefix, prefixEnd(prefix)}
	}
	return benchrunner.Options{Command: s.Command, Args: args, Flags: flags, Prefix: prefix}
}

// String describes the step for a heading: "put at 150/s for 1m0s (50 clients)".
func (s Step) String() string {
	out := s.Command
	if r := s.Rate(); r > 0 {
		out += fmt.Sprintf(" at %s/s", formatNumber(r))
	}
	if s.Duration > 0 {
		out += " for " + s.Duration.String()
	} else if t, ok := s.Flags["total"]; ok {
		out += ", " + t + " requests"
	}
	if c, ok := s.Flags["clients"]; ok {
		out += " (" + c + " clients)"
	}
	return out
}

// prefixEnd is the end of the range of keys starting with prefix (clientv3.GetPrefixRangeEnd).
func prefixEnd(prefix string) string {
	end := []byte(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return string(end[:i+1])
		}
	}
	return "\x00"
}
