package slo

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// checkPerfLoad is one of etcdctl check perf's workloads (etcdctl 3.7.3,
// ctlv3/command/check.go, checkPerfCfgMap): a put rate limit, a client count (one connection
// each) and a duration in seconds. Its keys are 256 random bytes, its values 1024 bytes.
type checkPerfLoad struct {
	name, long string
	limit      int
	clients    int
	duration   int
}

var checkPerfLoads = []checkPerfLoad{
	{"s", "small", 150, 50, 60},
	{"m", "medium", 1000, 200, 60},
	{"l", "large", 8000, 500, 60},
	{"xl", "xLarge", 15000, 1000, 60},
}

// checkPerfRules are check perf's pass rules: throughput above 90 % of the limit, the slowest
// request at most 0.5 s, the standard deviation at most 0.1 s, and no errors.
var checkPerfRules = Rules{MinThroughputRatio: 0.9, MaxSlowest: 500 * time.Millisecond, MaxStddev: 100 * time.Millisecond}

// Builtin returns the built-in profiles: check perf's s, m, l and xl, and k8s-large (40,000
// reads/s and 20,000 writes/s, p99 under 100 ms, no errors).
func Builtin() []Profile {
	out := make([]Profile, 0, len(checkPerfLoads)+1)
	for _, l := range checkPerfLoads {
		n := strconv.Itoa(l.clients)
		out = append(out, Profile{
			Name: l.name,
			Description: fmt.Sprintf("etcdctl check perf --load=%s (%s): %d puts/s of 256-byte keys and 1 KiB values from %d clients for %d s; throughput > 90 %%, slowest ≤ 0.5 s, stddev ≤ 0.1 s, no errors",
				l.name, l.long, l.limit, l.clients, l.duration),
			Runs: []Step{{
				Command: "put",
				Flags: map[string]string{
					"rate": strconv.Itoa(l.limit), "clients": n, "conns": n,
					"key-size": "256", "val-size": "1024", "key-space-size": "9223372036854775807",
				},
				Duration: time.Duration(l.duration) * time.Second,
			}},
			Rules: checkPerfRules,
		})
	}
	out = append(out, Profile{
		Name:        "k8s-large",
		Description: "a large Kubernetes control plane: 20,000 writes/s (256-byte keys, 1 KiB values) then 40,000 serializable reads/s for 60 s each; throughput > 90 %, p99 < 100 ms, no errors",
		Runs: []Step{
			{Command: "put", Duration: time.Minute, Flags: map[string]string{
				"rate": "20000", "clients": "1000", "conns": "100",
				"key-size": "256", "val-size": "1024", "key-space-size": "9223372036854775807",
			}},
			{Command: "range", Duration: time.Minute, Flags: map[string]string{
				"rate": "40000", "clients": "1000", "conns": "100", "consistency": "s", "limit": "1",
			}},
		},
		Rules: Rules{MinThroughputRatio: 0.9, MaxP99: 100 * time.Millisecond},
	})
	return out
}

// Lookup finds a profile by name among custom and then the built-in ones (a custom profile
// may replace a built-in one of the same name); check perf's long names (small, medium,
// large, xLarge) find s, m, l and xl.
func Lookup(name string, custom []Profile) (Profile, error) {
	for _, p := range custom {
		if p.Name == name {
			return p, nil
		}
	}
	for _, l := range checkPerfLoads {
		if name == l.long {
			name = l.name
		}
	}
	all := Builtin()
	for _, p := range all {
		if p.Name == name {
			return p, nil
		}
	}
	names := make([]string, 0, len(all)+len(custom))
	for _, p := range append(all, custom...) {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return Profile{}, fmt.Errorf("profile %q: no such profile (have %s)", name, strings.Join(names, ", "))
}
