package auditlog

import (
	"context"
	"log/slog"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/storehealth"
)

// Auditor commits audit records through a group-commit writer, so that many concurrent
// requests share one transaction.
type Auditor struct {
	writer *store.AuditWriter
	logger *slog.Logger
	hooks  Hooks
	// spool keeps the records nothing waits on while the store is down (see Outage).
	spool  *Spool
	health *storehealth.Tracker
}

// Outage is how the auditor rides out a history store outage: the records of reads (and the
// outcomes of mutations whose attempt is committed) go to Spool while Health says the store
// is down, or while the spool still holds older records, and a Shipper commits them later.
// A mutation's attempt is never spooled: it is committed before the mutation is sent, or the
// mutation is refused. Both nil: records that cannot be committed are logged and lost.
type Outage struct {
	Spool  *Spool
	Health *storehealth.Tracker
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
func New(log store.AuditLog, cfg config.AuditConfig, logger *slog.Logger, hooks Hooks, outage Outage) *Auditor {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if outage.Health == nil {
		outage.Health = storehealth.New(nil)
	}
	a := &Auditor{logger: logger, hooks: hooks, spool: outage.Spool, health: outage.Health}
	a.writer = store.NewAuditWriter(log, store.AuditWriterOptions{
		OnCommit: func(records int, took time.Duration, err error) {
			a.health.Observe(err)
			if hooks.OnCommit != nil {
				hooks.OnCommit(records, took, err)
			}
		},
		MaxBatch:      cfg.MaxBatch,
		CommitTimeout: time.Duration(cfg.CommitTimeout),
		FlushDelay:    backgroundDelay,
		MaxPending:    maxBackground,
		OnError: func(recs []store.AuditRecord, err error) {
			for _, rec := range recs {
				a.spoolOrLog(rec, err)
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
//
// While the store is down, or older records wait in the spool, rec goes to the spool instead
// (in order behind them); a record whose commit fails because the store went down goes there
// too.
func (a *Auditor) AppendLater(ctx context.Context, rec store.AuditRecord) {
	if a.useSpool() {
		a.spoolOrLog(rec, nil)
		return
	}
	if err := a.writer.AppendLater(context.WithoutCancel(ctx), rec); err != nil {
		a.spoolOrLog(rec, err)
	}
}

// AppendOrSpool commits rec before returning, like Append, but keeps it in the spool when the
// store is down: for the records of refusals and failures, answered once they are kept. It
// must not be used for a mutation's attempt.
func (a *Auditor) AppendOrSpool(ctx context.Context, rec store.AuditRecord) error {
	if a.useSpool() {
		return a.spoolOrLog(rec, nil)
	}
	_, err := a.writer.Append(context.WithoutCancel(ctx), rec)
	if err != nil {
		return a.spoolOrLog(rec, err)
	}
	return nil
}

// useSpool reports whether records nothing waits on go to the spool: while the store is down,
// and while older records wait there (to keep them in order).
func (a *Auditor) useSpool() bool {
	if a.spool == nil {
		return false
	}
	if _, n := a.spool.Stats(); n > 0 {
		return true
	}
	return !a.health.Up()
}

// spoolOrLog keeps rec in the spool when err is nil or an outage, and otherwise (or when the
// spool refuses it) logs it as not committed and returns the error.
func (a *Auditor) spoolOrLog(rec store.AuditRecord, err error) error {
	if a.spool != nil && (err == nil || storehealth.IsOutage(err)) {
		serr := a.spool.Add(rec)
		if serr == nil {
			return nil
		}
		err = serr
	}
	a.logNotCommitted(rec, err)
	return err
}

// SpoolFull reports whether the spool cannot take more records: reads are then refused, as
// their records could not be kept.
func (a *Auditor) SpoolFull() bool { return a.spool != nil && a.spool.Full() }

// Spool is the auditor's spool (nil when it has none).
func (a *Auditor) Spool() *Spool { return a.spool }

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
