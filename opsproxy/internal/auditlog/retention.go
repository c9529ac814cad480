package auditlog

import (
	"context"
	"log/slog"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// pruneInterval is how often audit retention runs; the first pass runs at start.
const pruneInterval = time.Hour

// PruneLoop applies audit retention at start, then every pruneInterval and whenever wake
// receives (a reload), until ctx ends. retention is read at each pass; 0 keeps everything.
func PruneLoop(ctx context.Context, log store.AuditLog, retention func() time.Duration, wake <-chan struct{}, logger *slog.Logger) {
	t := time.NewTicker(pruneInterval)
	defer t.Stop()
	for {
		res, err := PruneOnce(ctx, log, retention(), time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("audit retention", "err", err)
		case res.Removed > 0:
			logger.Info("audit retention removed old records", "removed", res.Removed, "anchor_seq", res.Anchor.Seq)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

// PruneOnce runs one retention pass as of now: it removes the records older than now minus
// retention (a prefix of the chain; the store moves the anchor so the rest still verifies).
// A retention of 0 keeps everything.
func PruneOnce(ctx context.Context, log store.AuditLog, retention time.Duration, now time.Time) (store.PruneResult, error) {
	if retention <= 0 {
		return store.PruneResult{}, nil
	}
	return log.PruneAudit(ctx, now.Add(-retention))
}
