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
	writer  *store.AuditWriter
	logger  *slog.Logger
	metrics *serverMetrics // nil: not observed
}

// maxBackground is how many records may wait to be committed in the background at once;
// beyond it appendLater waits for the commit like append.
const maxBackground = 10000

// backgroundDelay is the longest a background record waits for company before it is
// committed on its own. Most go sooner, with the next record a request waits for.
const backgroundDelay = 20 * time.Millisecond

func newAuditor(log store.AuditLog, cfg AuditConfig, logger *slog.Logger, metrics *serverMetrics) *auditor {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &auditor{logger: logger, metrics: metrics}
	var onCommit func(int, time.Duration, error)
	if metrics != nil {
		onCommit = metrics.observeCommit
	}
	a.writer = store.NewAuditWriter(log, store.AuditWriterOptions{
		OnCommit:      onCommit,
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

// append commits rec and returns the error when it could not be. The record is committed even
// when the request's context ends first, as long as the writer gets it.
func (a *auditor) append(ctx context.Context, rec store.AuditRecord) error {
	_, err := a.writer.Append(context.WithoutCancel(ctx), rec)
	if err != nil {
		a.logNotCommitted(rec, err)
	}
	return err
}

// appendLater commits rec in the background: for records that nothing waits on, the outcome
// of a mutation whose attempt is already recorded and successful reads. The record goes with
// the next batch a request waits for, or within backgroundDelay; a failure is logged. A crash
// loses at most the background records of that last moment, never a mutation's attempt.
func (a *auditor) appendLater(ctx context.Context, rec store.AuditRecord) {
	if err := a.writer.AppendLater(context.WithoutCancel(ctx), rec); err != nil {
		a.logNotCommitted(rec, err)
	}
}

func (a *auditor) logNotCommitted(rec store.AuditRecord, err error) {
	if a.metrics != nil {
		a.metrics.auditNotCommitted.Inc()
	}
	a.logger.Error("audit record not committed", "request_id", rec.RequestID, "operation", rec.Operation,
		"outcome", rec.Outcome, "err", err)
}

// close commits background and queued records and stops the writer.
func (a *auditor) close() error {
	return a.writer.Close()
}
