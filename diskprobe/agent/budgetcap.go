package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
)

// errBudgetCap is the cause a time-based probe is stopped with before it writes more than it
// reserved from the I/O budget (a disk fast enough to write more in the job's duration than
// the budget has left).
var errBudgetCap = errors.New("stopped at the bytes reserved from the I/O budget")

// capPoll is how often a time-based probe's written bytes are read. The engine checks for
// cancellation before each write, so a probe overshoots its reservation by at most what the
// disk writes in about this long.
const capPoll = 2 * time.Millisecond

// capBytes stops a native time-based probe (cancel, cause errBudgetCap) before it writes more
// than limit bytes, until ctx ends. The engine's progress of a time-based job counts
// milliseconds, not bytes: the bytes are the process's own write(2) bytes since the call
// (/proc/self/io wchar, which also counts the agent's few other writes, so the cap errs on the
// safe side). At each poll the probe is stopped when one more poll period at the rate of the
// last one would pass the limit. It reports false where the written bytes cannot be read
// (not Linux).
func capBytes(ctx context.Context, limit int64, cancel context.CancelCauseFunc) bool {
	start, ok := processWrittenBytes()
	if !ok {
		return false
	}
	go func() {
		t := time.NewTicker(capPoll)
		defer t.Stop()
		last := start
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			n, ok := processWrittenBytes()
			if !ok {
				cancel(fmt.Errorf("%w: the agent cannot count its written bytes any more", errBudgetCap))
				return
			}
			// Twice the last period's bytes: one more period, and as much again for safety.
			if (n-start)+2*(n-last) > limit {
				cancel(fmt.Errorf("%w (%s)", errBudgetCap, diskprobe.FormatBytes(limit)))
				return
			}
			last = n
		}
	}()
	return true
}
