package jobkinds

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

// cleanupState says what became of the keys of a benchmark that stopped early.
type cleanupState struct {
	Prefix  string `json:"prefix"`
	Deleted int64  `json:"deleted"`
	Done    bool   `json:"done"`
	// Error is the last failure when the keys could not be deleted in time.
	Error string `json:"error,omitempty"`
}

// suffix is the state for a job's error text.
func (c *cleanupState) suffix() string {
	switch {
	case c == nil:
		return ""
	case c.Done:
		return fmt.Sprintf("; %d keys under %q deleted", c.Deleted, c.Prefix)
	}
	return fmt.Sprintf("; keys under %q remain (%s): delete them with etcdctl del --prefix %q", c.Prefix, c.Error, c.Prefix)
}

// cleanupAfter deletes the keys a benchmark that stopped early left under prefix. The engine
// deletes its keys itself, but not when it lost the cluster: the job then waits for the
// cluster to answer again, up to Deps.CleanupWait, still holding the cluster's benchmark slot.
// A job whose own context ended (cancel, shutdown) tries once.
func (d Deps) cleanupAfter(ctx context.Context, prog *progressWriter, client clientv3.Config, prefix string) *cleanupState {
	st := &cleanupState{Prefix: prefix}
	wait := d.CleanupWait
	if ctx.Err() != nil {
		wait = 0
	}
	bg := context.WithoutCancel(ctx)
	deadline := d.Now().Add(wait)
	pause := 200 * time.Millisecond
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(bg, d.HealthTimeout)
		n, err := benchrunner.Cleanup(actx, client, prefix)
		cancel()
		if err == nil {
			st.Deleted, st.Done, st.Error = n, true, ""
			return st
		}
		st.Error = err.Error()
		if attempt == 0 {
			_ = prog.save(bg, func(p *benchmarkProgress) { p.State = "cleaning" })
			d.Logger.Warn("benchmark keys wait for the cluster to come back", "prefix", prefix, "err", err)
		}
		if !d.Now().Before(deadline) {
			return st
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			// Cancelled while waiting: one last try happens now, then the job ends.
			deadline = d.Now()
		}
		pause = min(2*pause, 5*time.Second)
	}
}
