package auditlog

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/storehealth"
)

// shipRetry is how long the shipper waits after a failed commit before it tries again; each
// try is also how a non-empty spool finds out that the store is back.
const shipRetry = time.Second

// Shipper commits spooled records to the store, oldest first, in batches. Records keep the
// Time at which their request arrived; they get their chain position (Seq) when committed,
// so they come after the records committed while the store was down elsewhere, or before the
// spool was drained.
type Shipper struct {
	Log     store.AuditLog
	Spool   *Spool
	Health  *storehealth.Tracker
	Batch   int
	Timeout time.Duration
	Logger  *slog.Logger
	// OnShipped, when set, is told how many records each successful batch committed.
	OnShipped func(n int)
}

// Run ships until ctx ends.
func (sh *Shipper) Run(ctx context.Context) {
	// A crash between a commit and the spool's head moving leaves committed records at the
	// head of the spool: look for them before the first batch, and after any failed commit
	// (a commit may succeed although its answer is lost).
	verify := true
	t := time.NewTicker(shipRetry)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			if _, n := sh.Spool.Stats(); n == 0 {
				break
			}
			shipped, err := sh.ShipOnce(ctx, verify)
			if err != nil {
				if ctx.Err() == nil {
					sh.Logger.Warn("audit spool: cannot ship to the history store yet; retrying", "err", err)
				}
				verify = true
				break
			}
			verify = false
			if shipped == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-sh.Spool.Notify():
			if !sh.Health.Up() {
				// Wait for the retry tick rather than hammer a store that is down.
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		case <-t.C:
		}
	}
}

// ShipOnce commits the oldest batch of the spool and forgets it. With verify, records at the
// head that the store already holds are forgotten without being committed again.
func (sh *Shipper) ShipOnce(ctx context.Context, verify bool) (int, error) {
	batch, err := sh.Spool.Peek(max(sh.Batch, 1))
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	if verify {
		skip, err := sh.alreadyCommitted(ctx, batch)
		if err != nil {
			return 0, err
		}
		if skip > 0 {
			sh.Logger.Info("audit spool: records already in the store were not shipped again", "records", skip)
			return skip, sh.Spool.Commit(batch[skip-1].End)
		}
	}
	recs := make([]store.AuditRecord, 0, len(batch))
	for _, b := range batch {
		if b.Bad {
			sh.Logger.Error("audit spool: skipped a line that does not decode")
			continue
		}
		recs = append(recs, b.Rec)
	}
	if len(recs) > 0 {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sh.Timeout)
		_, err = sh.Log.AppendAudit(cctx, recs...)
		cancel()
		sh.Health.Observe(err)
		if err != nil {
			return 0, fmt.Errorf("commit %d spooled records: %w", len(recs), err)
		}
		if sh.OnShipped != nil {
			sh.OnShipped(len(recs))
		}
	}
	return len(batch), sh.Spool.Commit(batch[len(batch)-1].End)
}

// alreadyCommitted counts the records at the head of batch that the store holds: the same
// request, operation, outcome and time.
func (sh *Shipper) alreadyCommitted(ctx context.Context, batch []SpooledRecord) (int, error) {
	n := 0
	for _, b := range batch {
		if b.Bad {
			n++
			continue
		}
		t := store.NormalizeTime(b.Rec.Time)
		cctx, cancel := context.WithTimeout(ctx, sh.Timeout)
		page, err := sh.Log.QueryAudit(cctx, store.AuditFilter{From: t, To: t.Add(time.Microsecond),
			RequestID: b.Rec.RequestID, Operation: b.Rec.Operation, Outcome: b.Rec.Outcome, Limit: 1})
		cancel()
		sh.Health.Observe(err)
		if err != nil {
			return 0, fmt.Errorf("look for spooled records in the store: %w", err)
		}
		if len(page.Records) == 0 {
			break
		}
		n++
	}
	return n, nil
}
