package opsproxy

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// auditor commits audit records through a group-commit writer, so that many concurrent
// requests share one transaction.
type auditor struct {
	writer *store.AuditWriter
	logger *slog.Logger
	// slots bounds the records being committed in the background; when all are taken,
	// appendLater waits for the commit like append.
	slots chan struct{}
	wg    sync.WaitGroup
}

// maxBackground is how many records may be committed in the background at once.
const maxBackground = 10000

func newAuditor(log store.AuditLog, cfg AuditConfig, logger *slog.Logger) *auditor {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &auditor{
		writer: store.NewAuditWriter(log, store.AuditWriterOptions{
			MaxBatch:      cfg.MaxBatch,
			CommitTimeout: time.Duration(cfg.CommitTimeout),
		}),
		logger: logger,
		slots:  make(chan struct{}, maxBackground),
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

// appendLater commits rec in the background: for records that nothing waits on, the outcome
// of a mutation whose attempt is already recorded and successful reads. A failure is logged.
func (a *auditor) appendLater(ctx context.Context, rec store.AuditRecord) {
	ctx = context.WithoutCancel(ctx)
	select {
	case a.slots <- struct{}{}:
		a.wg.Go(func() {
			defer func() { <-a.slots }()
			_ = a.append(ctx, rec)
		})
	default:
		_ = a.append(ctx, rec)
	}
}

// close waits for background records, then commits what is queued and stops the writer.
func (a *auditor) close() error {
	a.wg.Wait()
	return a.writer.Close()
}
