package benchrunner

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// flagKind is the type of a benchmark flag, as etcd's tool declares it.
type flagKind int

const (
	kindInt flagKind = iota
	kindUint
	kindFloat
	kindBool
	kindString
	kindDuration
)

// flagSpec is one flag of etcd 3.6's benchmark tool: its name, default and help, so the CLI
// offers exactly etcd's flags and Run checks a map of them the same way.
type flagSpec struct {
	Name    string
	Kind    flagKind
	Default string
	Usage   string
}

// LoadFlags are the global flags that shape the load (etcd's persistent flags less the
// connection ones, which are Options.Client).
var loadFlags = []flagSpec{
	{"conns", kindUint, "1", "Total number of gRPC connections"},
	{"clients", kindUint, "1", "Total number of gRPC clients"},
	{"precise", kindBool, "false", "use full floating point precision"},
	{"sample", kindBool, "false", "'true' to sample requests for every second"},
	{"target-leader", kindBool, "false", "connect only to the leader node"},
	{"auto-sync-interval", kindDuration, "0s", "AutoSyncInterval is the interval to update endpoints with its latest members"},
}

// commandSpec is one benchmark command with its flags and positional arguments.
type commandSpec struct {
	Name  string
	Use   string
	Short string
	// MinArgs and MaxArgs bound the positional arguments.
	MinArgs, MaxArgs int
	Flags            []flagSpec
	// Writes is set for commands that write keys, which go under the dedicated prefix.
	Writes bool
}

var commands = []commandSpec{
	{Name: "put", Use: "put", Short: "Benchmark put", Writes: true, Flags: []flagSpec{
		{"key-size", kindInt, "8", "Key size of put request"},
		{"val-size", kindInt, "8", "Value size of put request"},
		{"rate", kindInt, "0", "Maximum puts per second (0 is no limit)"},
		{"total", kindInt, "10000", "Total number of put requests"},
		{"key-space-size", kindInt, "1", "Maximum possible keys"},
		{"sequential-keys", kindBool, "false", "Use sequential keys"},
		{"compact-interval", kindDuration, "0s", "Interval to compact database (do not duplicate this with etcd's 'auto-compaction-retention' flag) (e.g. --compact-interval=5m compacts every 5-minute)"},
		{"compact-index-delta", kindInt, "1000", "Delta between current revision and compact revision (e.g. current revision 10000, compact at 9000)"},
		{"check-hashkv", kindBool, "false", "'true' to check hashkv"},
	}},
	{Name: "range", Use: "range key [end-range]", Short: "Benchmark range", MinArgs: 1, MaxArgs: 2, Flags: []flagSpec{
		{"rate", kindInt, "0", "Maximum range requests per second (0 is no limit)"},
		{"total", kindInt, "10000", "Total number of range requests"},
		{"consistency", kindString, "l", "Linearizable(l) or Serializable(s)"},
		{"limit", kindInt, "0", "Maximum number of results to return from range request (0 is no limit)"},
		{"count-only", kindBool, "false", "Only returns the count of keys"},
	}},
	{Name: "txn-put", Use: "txn-put", Short: "Benchmark txn-put", Writes: true, Flags: []flagSpec{
		{"key-size", kindInt, "8", "Key size of txn put"},
		{"val-size", kindInt, "8", "Value size of txn put"},
		{"txn-ops", kindInt, "1", "Number of puts per txn"},
		{"rate", kindInt, "0", "Maximum txns per second (0 is no limit)"},
		{"total", kindInt, "10000", "Total number of txn requests"},
		{"key-space-size", kindInt, "1", "Maximum possible keys"},
	}},
	{Name: "txn-mixed", Use: "txn-mixed key [end-range]", Short: "Benchmark a mixed load of txn-put & txn-range.", MaxArgs: 2, Writes: true, Flags: []flagSpec{
		{"key-size", kindInt, "8", "Key size of mixed txn"},
		{"val-size", kindInt, "8", "Value size of mixed txn"},
		{"rate", kindInt, "0", "Maximum txns per second (0 is no limit)"},
		{"total", kindInt, "10000", "Total number of txn requests"},
		{"end-key", kindString, "", "Read operation range end key. By default, we do full range query with the default limit of 1000."},
		{"limit", kindInt, "1000", "Read operation range result limit"},
		{"key-space-size", kindInt, "1", "Maximum possible keys"},
		{"consistency", kindString, "l", "Linearizable(l) or Serializable(s)"},
		{"rw-ratio", kindFloat, "1", "Read/write ops ratio"},
	}},
	{Name: "watch", Use: "watch", Short: "Benchmark watch", Writes: true, Flags: []flagSpec{
		{"streams", kindInt, "10", "Total watch streams"},
		{"watch-per-stream", kindInt, "100", "Total watchers per stream"},
		{"watched-key-total", kindInt, "1", "Total number of keys to be watched"},
		{"put-rate", kindInt, "0", "Number of keys to put per second"},
		{"put-total", kindInt, "1000", "Number of put requests"},
		{"key-size", kindInt, "32", "Key size of watch request"},
		{"key-space-size", kindInt, "1", "Maximum possible keys"},
		{"sequential-keys", kindBool, "false", "Use sequential keys"},
	}},
	{Name: "watch-latency", Use: "watch-latency", Short: "Benchmark watch latency", Writes: true, Flags: []flagSpec{
		{"streams", kindInt, "10", "Total watch streams"},
		{"watchers-per-stream", kindInt, "10", "Total watchers per stream"},
		{"prevkv", kindBool, "false", "PrevKV enabled on watch requests"},
		{"put-total", kindInt, "1000", "Total number of put requests"},
		{"put-rate", kindInt, "100", "Number of keys to put per second"},
		{"key-size", kindInt, "32", "Key size of watch response"},
		{"val-size", kindInt, "32", "Value size of watch response"},
	}},
	{Name: "lease-keepalive", Use: "lease-keepalive", Short: "Benchmark lease keepalive", Flags: []flagSpec{
		{"total", kindInt, "10000", "Total number of lease keepalive requests"},
	}},
}

// commandByName returns the command's spec, or false for a command etcd's tool does not have.
func commandByName(name string) (commandSpec, bool) {
	for _, c := range commands {
		if c.Name == name {
			return c, true
		}
	}
	return commandSpec{}, false
}

// CommandNames lists the benchmark commands in the order etcd's help prints them.
func CommandNames() []string {
	names := make([]string, 0, len(commands))
	for _, c := range commands {
		names = append(names, c.Name)
	}
	sort.Strings(names)
	return names
}

// flagValues is a command's flags resolved against their defaults and checked for type.
type flagValues struct {
	raw map[string]string
}

// resolveFlags checks flags against the command's and the global load flags, fills in the
// defaults, and reports the first bad one by name (in sorted order, so the error is stable).
func resolveFlags(cmd commandSpec, given map[string]string) (flagValues, error) {
	specs := make(map[string]flagSpec, len(cmd.Flags)+len(loadFlags))
	for _, f := range loadFlags {
		specs[f.Name] = f
	}
	for _, f := range cmd.Flags {
		specs[f.Name] = f
	}
	names := make([]string, 0, len(given))
	for n := range given {
		names = append(names, n)
	}
	sort.Strings(names)
	raw := make(map[string]string, len(specs))
	for _, n := range names {
		spec, ok := specs[n]
		if !ok {
			return flagValues{}, fmt.Errorf("unknown flag: --%s", n)
		}
		v, err := normalise(spec, given[n])
		if err != nil {
			return flagValues{}, fmt.Errorf("--%s: %w", n, err)
		}
		raw[n] = v
	}
	for n, spec := range specs {
		if _, ok := raw[n]; !ok {
			raw[n] = spec.Default
		}
	}
	return flagValues{raw: raw}, nil
}

// normalise parses a flag value as its kind and returns it in canonical form.
func normalise(spec flagSpec, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch spec.Kind {
	case kindInt:
		n, err := strconv.ParseInt(v, 0, 64)
		if err != nil {
			return "", fmt.Errorf("invalid integer %q", v)
		}
		return strconv.FormatInt(n, 10), nil
	case kindUint:
		n, err := strconv.ParseUint(v, 0, 64)
		if err != nil {
			return "", fmt.Errorf("invalid non-negative integer %q", v)
		}
		return strconv.FormatUint(n, 10), nil
	case kindFloat:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return "", fmt.Errorf("invalid number %q", v)
		}
		return strconv.FormatFloat(f, 'g', -1, 64), nil
	case kindBool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return "", fmt.Errorf("invalid boolean %q", v)
		}
		return strconv.FormatBool(b), nil
	case kindDuration:
		d, err := time.ParseDuration(v)
		if err != nil {
			return "", fmt.Errorf("invalid duration %q", v)
		}
		return d.String(), nil
	}
	return v, nil
}

func (f flagValues) int(name string) int {
	n, _ := strconv.ParseInt(f.raw[name], 10, 64)
	return int(n)
}

func (f flagValues) float(name string) float64 {
	x, _ := strconv.ParseFloat(f.raw[name], 64)
	return x
}

func (f flagValues) bool(name string) bool { return f.raw[name] == "true" }

func (f flagValues) str(name string) string { return f.raw[name] }

func (f flagValues) duration(name string) time.Duration {
	d, _ := time.ParseDuration(f.raw[name])
	return d
}

// positive checks that the named flags are at least 1.
func (f flagValues) positive(names ...string) error {
	for _, n := range names {
		if _, ok := f.raw[n]; ok && f.int(n) <= 0 {
			return fmt.Errorf("--%s: must be positive", n)
		}
	}
	return nil
}

// nonNegative checks that the named flags are at least 0.
func (f flagValues) nonNegative(names ...string) error {
	for _, n := range names {
		if _, ok := f.raw[n]; ok && f.int(n) < 0 {
			return fmt.Errorf("--%s: must not be negative", n)
		}
	}
	return nil
}
