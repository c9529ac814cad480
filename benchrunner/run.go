package benchrunner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// DefaultPrefix is where benchmark keys go unless Options.Prefix says otherwise.
const DefaultPrefix = "/etcd-monitor-bench/"

// Options is one run: a command and its flags by etcd benchmark's names.
type Options struct {
	Command string            // put, range, txn-put, txn-mixed, watch, watch-latency, lease-keepalive
	Args    []string          // positional arguments (range's key, range_end)
	Flags   map[string]string // e.g. {"total": "10000", "key-size": "8", "rate": "500", "conns": "1", "clients": "1"}
	Client  clientv3.Config   // endpoints, TLS, username/password, DialTimeout
	Prefix  string            // the dedicated prefix benchmark keys are written under (default "/etcd-monitor-bench/")
	// Progress, when set, is called about once a second with the requests done so far and the total.
	Progress func(done, total int64)
	// OnSample, when set, gets each second's Sample of the run's main figures as the second
	// closes (the last, partial one when the load ends), in order, from one goroutine; Run
	// returns after its last call. A callback too slow to keep up loses samples, never slows
	// the load. watch-latency's figures exist only once its events are matched to its puts,
	// so its samples all come at the end.
	OnSample func(Sample)
}

// ErrPrefixInUse is returned (wrapped, naming the prefix and its key count) when the dedicated
// prefix already holds keys: a benchmark must never write over or delete data it did not write.
var ErrPrefixInUse = errors.New("benchmark prefix is not empty")

// ErrClusterLost is returned (wrapped) with a partial report when no request succeeded for a
// while during the load: the cluster went away under the benchmark.
var ErrClusterLost = errors.New("cluster lost during the benchmark")

// Tunables of the run that tests shorten: how long a set-up request (status, member list,
// lease grant, a watch-latency put) may take, how long the load may go without a single
// success before the cluster counts as lost (its hung requests are then cancelled), and how
// long cleanup may take.
var (
	requestTimeout = 10 * time.Second
	lostAfter      = 10 * time.Second
	cleanupTimeout = 10 * time.Second
)

// Run runs one benchmark; on ctx cancellation it stops, returns the partial Report
// (Partial=true) and cleans up its keys.
func Run(ctx context.Context, o Options) (*Report, error) {
	p, err := prepare(o)
	if err != nil {
		return nil, err
	}
	conns, err := dialAll(ctx, p)
	if err != nil {
		return nil, err
	}
	defer conns.close()

	rep := &Report{Command: p.cmd.Name, Parameters: p.parameters()}
	rep.Cluster = clusterInfo(ctx, conns.clients[0])
	if p.cmd.Writes {
		if err := checkPrefixEmpty(ctx, conns.clients[0], p.prefix); err != nil {
			return nil, err
		}
	}

	usage := startUsage()
	rep.StartedAt = time.Now()
	loadCtx, cancelLoad := context.WithCancelCause(ctx)
	defer cancelLoad(nil)
	figures, loadErr := runCommand(loadCtx, cancelLoad, p, conns)
	rep.FinishedAt = time.Now()
	rep.Runner = usage.finish(rep.StartedAt, rep.FinishedAt)
	rep.applyFigures(figures)

	switch cause := context.Cause(loadCtx); {
	case loadErr != nil:
		rep.Partial, rep.Reason = true, loadErr.Error()
	case ctx.Err() != nil:
		rep.Partial, rep.Reason = true, "interrupted: "+context.Cause(ctx).Error()
	case cause != nil && !errors.Is(cause, context.Canceled):
		rep.Partial, rep.Reason = true, cause.Error()
		loadErr = cause
	}

	if p.cmd.Writes || p.cmd.Name == "lease-keepalive" {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		cleanErr := conns.cleanup(cctx, p)
		cancel()
		if cleanErr != nil {
			rep.Partial = true
			rep.Reason = strings.TrimPrefix(rep.Reason+"; ", "; ") + cleanErr.Error()
			if loadErr == nil {
				loadErr = cleanErr
			}
		}
	}
	return rep, loadErr
}

// prepared is a validated run.
type prepared struct {
	cmd    commandSpec
	args   []string
	flags  flagValues
	client clientv3.Config
	prefix string
	o      Options
}

func prepare(o Options) (*prepared, error) {
	cmd, ok := commandByName(o.Command)
	if !ok {
		return nil, fmt.Errorf("unknown command %q for \"benchmark\"", o.Command)
	}
	if len(o.Args) < cmd.MinArgs || len(o.Args) > cmd.MaxArgs {
		return nil, fmt.Errorf("%s: takes %d to %d arguments (usage: %s), got %d", cmd.Name, cmd.MinArgs, cmd.MaxArgs, cmd.Use, len(o.Args))
	}
	fv, err := resolveFlags(cmd, o.Flags)
	if err != nil {
		return nil, err
	}
	if err := validate(cmd, fv); err != nil {
		return nil, err
	}
	if len(o.Client.Endpoints) == 0 {
		return nil, errors.New("--endpoints: no endpoint given")
	}
	prefix := o.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if prefix == "/" || strings.Trim(prefix, "\x00") == "" {
		return nil, fmt.Errorf("prefix %q: a benchmark needs a dedicated key prefix, not the whole key space", prefix)
	}
	return &prepared{cmd: cmd, args: o.Args, flags: fv, client: o.Client, prefix: prefix, o: o}, nil
}

// validate checks the values etcd's tool checks (and the ones it would crash or hang on),
// naming the flag.
func validate(cmd commandSpec, f flagValues) error {
	if f.int("conns") == 0 {
		return errors.New("--conns: must be positive")
	}
	if f.int("clients") == 0 {
		return errors.New("--clients: must be positive")
	}
	if err := f.positive("total", "put-total", "key-space-size", "key-size", "txn-ops", "streams", "watch-per-stream", "watched-key-total", "watchers-per-stream"); err != nil {
		return err
	}
	if err := f.nonNegative("val-size", "rate", "put-rate", "limit", "compact-index-delta"); err != nil {
		return err
	}
	if c, ok := f.raw["consistency"]; ok && c != "l" && c != "s" {
		return fmt.Errorf("--consistency: must be l (linearizable) or s (serializable), got %q", c)
	}
	if r, ok := f.raw["rw-ratio"]; ok && (f.float("rw-ratio") < 0 || r == "NaN") {
		return errors.New("--rw-ratio: must not be negative")
	}
	if cmd.Name == "txn-put" && f.int("txn-ops") > f.int("key-space-size") {
		return fmt.Errorf("--txn-ops: must be no larger than --key-space-size, got txn-ops(%d) key-space-size(%d)", f.int("txn-ops"), f.int("key-space-size"))
	}
	if cmd.Name == "watch-latency" && f.int("put-rate") <= 0 {
		return errors.New("--put-rate: must be positive")
	}
	if f.duration("compact-interval") < 0 {
		return errors.New("--compact-interval: must not be negative")
	}
	return checkBounds(f)
}

// Bounds past which a run would only exhaust the generator's memory (a value or key is
// allocated once, a watcher costs a channel and goroutine, watch-latency keeps a time per
// event); etcd's own request limit is 1.5 MiB by default.
const (
	maxPayloadBytes   = 64 << 20
	maxClients        = 100_000
	maxWatchers       = 1_000_000
	maxLatencyRecords = 100_000_000
)

func checkBounds(f flagValues) error {
	for _, n := range []string{"key-size", "val-size"} {
		if _, ok := f.raw[n]; ok && f.int(n) > maxPayloadBytes {
			return fmt.Errorf("--%s: at most %d bytes, got %d", n, maxPayloadBytes, f.int(n))
		}
	}
	for _, n := range []string{"conns", "clients"} {
		if f.float(n) > maxClients {
			return fmt.Errorf("--%s: at most %d, got %s", n, maxClients, f.raw[n])
		}
	}
	for _, per := range []string{"watch-per-stream", "watchers-per-stream"} {
		if _, ok := f.raw[per]; !ok {
			continue
		}
		watchers := f.float("streams") * f.float(per)
		if watchers > maxWatchers {
			return fmt.Errorf("--streams × --%s: at most %d watchers, got %.0f", per, maxWatchers, watchers)
		}
		if per == "watchers-per-stream" && watchers*f.float("put-total") > maxLatencyRecords {
			return fmt.Errorf("--put-total: watch-latency keeps a time per event, at most %d (watchers × --put-total), got %.0f", maxLatencyRecords, watchers*f.float("put-total"))
		}
	}
	return nil
}

// parameters are the run's effective flags (defaults filled in) and its endpoints; never the
// credentials.
func (p *prepared) parameters() map[string]string {
	m := make(map[string]string, len(p.flags.raw)+2)
	for k, v := range p.flags.raw {
		m[k] = v
	}
	m["endpoints"] = strings.Join(p.client.Endpoints, ",")
	m["prefix"] = p.prefix
	if len(p.args) > 0 {
		m["args"] = strings.Join(p.args, " ")
	}
	return m
}

// applyFigures copies a run's measured figures into the report.
func (r *Report) applyFigures(f runFigures) {
	m := f.main
	r.Requests, r.Errors, r.Elapsed, r.Throughput = m.Requests, m.Errors, m.Elapsed, m.Throughput
	r.Latency, r.Service, r.Samples = m.Latency, m.Service, m.Samples
	r.HashKV = f.hashKV
	for _, ph := range f.phases {
		r.Phases = append(r.Phases, Phase{
			Name: ph.name, Requests: ph.Requests, Errors: ph.Errors, Elapsed: ph.Elapsed,
			Throughput: ph.Throughput, Latency: ph.Latency, Service: ph.Service, Samples: ph.Samples,
		})
	}
}

// runFigures are what a command measured: its main figures and, for the commands etcd reports
// in parts, each part's.
type runFigures struct {
	main   phaseFigures
	phases []namedFigures
	hashKV *HashKV
}

type namedFigures struct {
	name string
	phaseFigures
}
