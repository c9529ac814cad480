package auditlog

import (
	"context"
	"log/slog"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// Auditor commits audit records through a group-commit writer, so that many concurrent
// requests share one transaction.
type Auditor struct {
	writer *store.AuditWriter
	logger *slog.Logger
	hooks  Hooks
}

// Hooks observe the auditor (for metrics); nil fields are not called.
type Hooks struct {
	// OnCommit is called after each batch commit attempt with its size, duration and error.
	OnCommit func(records int, took time.Duration, err error)
	// OnNotCommitted is called once for every record that could not be committed.
	OnNotCommitted func()
}

// maxBackground is how many records may wait to be committed in the background at once;
// beyond it AppendLater waits for the commit like Append.
const maxBackground = 10000

// backgroundDelay is the longest a background record waits for company before it is
// committed on its own. Most go sooner, with the next record a request waits for.
const backgroundDelay = 20 * time.Millisecond

// New starts an auditor committing to log as cfg says.
func New(log store.AuditLog, cfg config.AuditConfig, logger *slog.Logger, hooks Hooks) *Auditor {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &Auditor{logger: logger, hooks: hooks}
	a.writer = store.NewAuditWriter(log, store.AuditWriterOptions{
		OnCommit:      hooks.OnCommit,
		MaxBatch:      cfg.MaxBatch,
		CommitTimeout: time.Duration(cfg.CommitTimeout),
		FlushDelay:    backgroundDelay,
		MaxPending:    maxBackground,
		OnError: func(recs []store.AuditRecord, err error) {
			for _, rec := range recs {
				a.logNotCommitted(rec, err)
			}
		},
	})
	return a
}

// Append commits rec and returns the error when it could not be. The record is committed even
// when the request's context ends first, as long as the writer gets it.
func (a *Auditor) Append(ctx context.Context, rec store.AuditRecord) error {
	_, err := a.writer.Append(context.WithoutCancel(ctx), rec)
	if err != nil {
		a.logNotCommitted(rec, err)
	}
	return err
}

// AppendLater commits rec in the background: for records that nothing waits on, the outcome
// of a mutation whose attempt is already recorded and successful reads. The record goes with
// the next batch a request waits for, or within backgroundDelay; a failure is logged. A crash
// loses at most the background records of that last moment, never a mutation's attempt.
func (a *Auditor) AppendLater(ctx context.Context, rec store.AuditRecord) {
	if err := a.writer.AppendLater(context.WithoutCancel(ctx), rec); err != nil {
		a.logNotCommitted(rec, err)
	}
}

func (a *Auditor) logNotCommitted(rec store.AuditRecord, err error) {
	if a.hooks.OnNotCommitted != nil {
		a.hooks.OnNotCommitted()
	}
	a.logger.Error("audit record not committed", "request_id", rec.RequestID, "operation", rec.Operation,
		"outcome", rec.Outcome, "err", err)
}

// Close commits background and queued records and stops the writer.
func (a *Auditor) Close() error {
	return a.writer.Close()
}
