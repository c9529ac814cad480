package console

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// Bounds of a console watch: it ends after --max-events events or --max-wait, whichever comes
// first, so a console request never runs unbounded (the Watch page and API are for long
// watches).
const (
	MaxWatchEvents = 1000
	MaxWatchWait   = 60 * time.Second
)

// planWatch plans a bounded watch: etcdctl's watch of a key, prefix or range, without
// --interactive and without running a command for each event.
func planWatch(e *Engine, inv *Invocation) (*plan, error) {
	if inv.Bool("interactive") {
		return nil, badRequest(ExitBadArgs, "watch --interactive: not available in the console (a console watch is bounded by --max-events and --max-wait; use the Watch page for long watches)")
	}
	if slices.Contains(inv.Words, "--") {
		return nil, badRequest(ExitBadArgs, "watch -- <command>: running a command for each event is not available in the console")
	}
	args := inv.Args
	if len(args) < 1 || len(args) > 2 {
		return nil, badRequest(ExitBadArgs, "bad number of arguments")
	}
	prefix := inv.Bool("prefix")
	maxEvents, maxWait := inv.Int("max-events"), inv.Duration("max-wait")
	if maxEvents < 1 || maxEvents > MaxWatchEvents {
		return nil, badRequest(ExitBadArgs, "--max-events: %d, want 1 to %d", maxEvents, MaxWatchEvents)
	}
	if maxWait <= 0 || maxWait > MaxWatchWait {
		return nil, badRequest(ExitBadArgs, "--max-wait: %s, want more than 0 and at most %s", maxWait, MaxWatchWait)
	}
	key := args[0]
	opts := []clientv3.OpOption{clientv3.WithRev(inv.Int("rev"))}
	var rangeEnd *string
	if len(args) == 2 {
		if prefix {
			return nil, badRequest(ExitBadArgs, "`range_end` and `--prefix` are mutually exclusive")
		}
		rangeEnd = &args[1]
		opts = append(opts, clientv3.WithRange(args[1]))
	}
	if prefix {
		opts = append(opts, clientv3.WithPrefix())
	}
	if inv.Bool("prev-kv") {
		opts = append(opts, clientv3.WithPrevKV())
	}
	if inv.Bool("progress-notify") {
		opts = append(opts, clientv3.WithProgressNotify())
	}
	k, end := keyRangeOf(key, rangeEnd, prefix, false)
	return &plan{
		spec:    core.OpSpec{Name: "keys.watch", Role: core.RoleViewer},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			x.c.Rec.Key, x.c.Rec.RangeEnd = k, end
			// A console watch is an open watch while it runs: it counts against the user's
			// cap as a watch of the Watch API does.
			if err := x.e.watchers.Acquire(x.c.R.Context(), x.c.P.User, x.e.co.Config().Limits.MaxWatchesPerUser); err != nil {
				return apihttp.Errorf(http.StatusTooManyRequests, "%w", err)
			}
			defer x.e.watchers.Release(x.c.P.User)
			// The watch is bounded by --max-wait, not --command-timeout (etcdctl's watch has
			// no timeout at all).
			ctx, cancel := context.WithTimeout(x.c.R.Context(), maxWait)
			defer cancel()
			wch := x.c.Cli.Watch(clientv3.WithRequireLeader(ctx), key, opts...)
			var seen int64
			for resp := range wch {
				if resp.Canceled {
					fmt.Fprintf(&x.stderr, "watch was canceled (%v)\n", resp.Err())
				}
				if resp.IsProgressNotify() {
					fmt.Fprintf(&x.stdout, "progress notify: %d\n", resp.Header.GetRevision())
				}
				if left := maxEvents - seen; int64(len(resp.Events)) > left {
					resp.Events = resp.Events[:left]
				}
				seen += int64(len(resp.Events))
				x.show(func(p printer) { p.Watch(&resp) })
				if seen >= maxEvents {
					fmt.Fprintf(&x.stderr, "console: watch ended after %d events (--max-events)\n", seen)
					return nil
				}
				if resp.Canceled {
					return &silentExit{code: ExitInterrupted}
				}
			}
			if err := x.c.R.Context().Err(); err != nil {
				return err
			}
			fmt.Fprintf(&x.stderr, "console: watch ended after %s with %d events (--max-wait)\n", maxWait, seen)
			return nil
		},
	}, nil
}
