package opsproxy

import (
	"context"
	"log/slog"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// auditor commits audit records through a group-commit writer, so that many concurrent
// requests share one transaction.
type auditor struct {
	writer *store.AuditWriter
	logger *slog.Logger
}

func newAuditor(log store.AuditLog, cfg AuditConfig, logger *slog.Logger) *auditor {
	return &auditor{
		writer: store.NewAuditWriter(log, store.AuditWriterOptions{
			MaxBatch:      cfg.MaxBatch,
			CommitTimeout: time.Duration(cfg.CommitTimeout),
		}),
		logger: logger,
	}
}

// append commits rec and returns the error when it could not be. The record is committed even
// when the request's context ends first, as long as the writer gets it.
func (a *auditor) append(ctx context.Context, rec store.AuditRecord) error {
	_, err := a.writer.Append(context.WithoutCancel(ctx), rec)
	if err != nil {
		a.logger.Error("audit record not committed", "request_id", rec.RequestID, "operation", rec.Operation,
			"outcome", rec.Outcome, "err", err)
	}
	return err
}

func (a *auditor) close() error { return a.writer.Close() }

// pruneLoop removes records older than retention once an hour until ctx ends.
func pruneLoop(ctx context.Context, log store.AuditLog, retention time.Duration, logger *slog.Logger) {
	if retention <= 0 {
		return
	}
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		res, err := log.PruneAudit(ctx, time.Now().Add(-retention))
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
		}
	}
}
