package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// AuditAppender is the part of AuditLog an AuditWriter needs.
type AuditAppender interface {
	AppendAudit(ctx context.Context, recs ...AuditRecord) ([]AuditRecord, error)
}

// AuditWriterOptions tune an AuditWriter. Zero values pick the defaults.
type AuditWriterOptions struct {
	// MaxBatch is the most records committed in one transaction (default 1000).
	MaxBatch int
	// CommitTimeout bounds one commit (default 10s).
	CommitTimeout time.Duration
	// Committers is how many batches may be in flight at once (default 1).
	// The callers arriving during a commit form the next batch. More than one
	// rarely helps: the stores commit batches one after the other anyway
	// (each links onto the one before), and with two in flight the second
	// waits for the first while the batches come out half as large; with
	// PostgreSQL, 50 waiting callers got 7,654 records/s through two
	// committers and 16,297 through one.
	Committers int
	// FlushDelay is how long a record given to AppendLater may wait for company
	// before it is committed (default 20ms). Such records also ride along with
	// the next batch of records that callers wait for, so that a mutation's
	// outcome and the next mutation's attempt share one transaction.
	FlushDelay time.Duration
	// MaxPending bounds the records given to AppendLater and not yet committed
	// (default 10000); beyond it AppendLater waits for the commit like Append.
	MaxPending int
	// OnError is told about records given to AppendLater that could not be
	// committed (nobody else learns of it). It must not block for long.
	OnError func(recs []AuditRecord, err error)
	// OnCommit, when set, is told about every batch: how many records, how
	// long the commit took and its error. It must not block for long.
	OnCommit func(records int, took time.Duration, err error)
}

// AuditWriter group-commits audit records from many goroutines: while one
// transaction is in flight, the records that arrive queue up and go into the
// next one. Append returns only after its record is committed, so a caller
// can refuse an operation whose record could not be written. AppendLater
// returns at once and commits its record with the next batch, or after
// FlushDelay at the latest, for records nothing has to wait on.
type AuditWriter struct {
	log    AuditAppender
	opts   AuditWriterOptions
	reqs   chan *appendRequest
	done   chan struct{}
	once   sync.Once
	mu     sync.RWMutex // guards sends on reqs and additions to pending against Close
	closed bool

	// kick wakes a committer to commit pending records.
	kick chan struct{}
	pmu  sync.Mutex
	// pending holds AppendLater's records (reply nil) until a batch takes them.
	pending []*appendRequest
	// armed is set while a flush of pending is scheduled.
	armed bool
}

type appendRequest struct {
	rec AuditRecord
	// reply is nil for AppendLater's records.
	reply chan appendReply
}

type appendReply struct {
	rec AuditRecord
	err error
}

// NewAuditWriter starts a writer over log. Close it to stop it.
func NewAuditWriter(log AuditAppender, opts AuditWriterOptions) *AuditWriter {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 1000
	}
	if opts.CommitTimeout <= 0 {
		opts.CommitTimeout = 10 * time.Second
	}
	if opts.Committers <= 0 {
		opts.Committers = 1
	}
	if opts.FlushDelay <= 0 {
		opts.FlushDelay = 20 * time.Millisecond
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = 10000
	}
	w := &AuditWriter{
		log:  log,
		opts: opts,
		reqs: make(chan *appendRequest, opts.MaxBatch),
		done: make(chan struct{}),
		kick: make(chan struct{}, 1),
	}
	var wg sync.WaitGroup
	for range opts.Committers {
		wg.Go(w.run)
	}
	go func() {
		wg.Wait()
		close(w.done)
	}()
	return w
}

// Append queues rec and waits for its commit. A nil error means the record
// is durable; on error (including ctx ending first) the caller must assume
// it is not, although it may still be committed.
func (w *AuditWriter) Append(ctx context.Context, rec AuditRecord) (AuditRecord, error) {
	rec, err := PrepareAuditRecord(rec, time.Now())
	if err != nil {
		return rec, err
	}
	req := &appendRequest{rec: rec, reply: make(chan appendReply, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return rec, fmt.Errorf("audit writer: %w", ErrClosed)
	}
	select {
	case w.reqs <- req:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return rec, fmt.Errorf("queue audit record: %w", ctx.Err())
	}
	select {
	case r := <-req.reply:
		return r.rec, r.err
	case <-ctx.Done():
		return rec, fmt.Errorf("wait for audit commit: %w", ctx.Err())
	}
}

// AppendLater queues rec for the next commit and returns without waiting for
// it: rec goes with the next batch Append callers wait for, or on its own
// after FlushDelay. A commit failure is reported to OnError only. It returns
// an error when rec is invalid or the writer is closed; when MaxPending
// records are already waiting it waits for rec's commit like Append, so that
// a store that cannot keep up slows callers down instead of growing memory.
func (w *AuditWriter) AppendLater(ctx context.Context, rec AuditRecord) error {
	rec, err := PrepareAuditRecord(rec, time.Now())
	if err != nil {
		return err
	}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return fmt.Errorf("audit writer: %w", ErrClosed)
	}
	w.pmu.Lock()
	if len(w.pending) >= w.opts.MaxPending {
		w.pmu.Unlock()
		w.mu.RUnlock()
		_, err := w.Append(ctx, rec)
		return err
	}
	w.pending = append(w.pending, &appendRequest{rec: rec})
	full := len(w.pending) >= w.opts.MaxBatch
	arm := !w.armed && !full
	w.armed = w.armed || arm
	w.pmu.Unlock()
	w.mu.RUnlock()
	switch {
	case full:
		w.wake()
	case arm:
		time.AfterFunc(w.opts.FlushDelay, w.wake)
	}
	return nil
}

// wake asks a committer to commit pending records.
func (w *AuditWriter) wake() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// takePending moves up to room pending records into batch.
func (w *AuditWriter) takePending(batch []*appendRequest, room int) []*appendRequest {
	w.pmu.Lock()
	defer w.pmu.Unlock()
	n := min(room, len(w.pending))
	batch = append(batch, w.pending[:n]...)
	rest := copy(w.pending, w.pending[n:])
	clear(w.pending[rest:])
	w.pending = w.pending[:rest]
	if rest == 0 {
		w.armed = false
	} else if n > 0 {
		w.wake()
	}
	return batch
}

// Close commits what is queued and stops the writer. Appends after Close
// return ErrClosed.
func (w *AuditWriter) Close() error {
	w.once.Do(func() {
		w.mu.Lock()
		w.closed = true
		close(w.reqs)
		w.mu.Unlock()
	})
	<-w.done
	return nil
}

func (w *AuditWriter) run() {
	batch := make([]*appendRequest, 0, w.opts.MaxBatch)
	recs := make([]AuditRecord, 0, w.opts.MaxBatch)
	for {
		batch = batch[:0]
		select {
		case first, ok := <-w.reqs:
			if !ok {
				// Closed: nothing can be added to pending any more.
				for {
					batch = w.takePending(batch[:0], w.opts.MaxBatch)
					if len(batch) == 0 {
						return
					}
					w.commit(batch, recordsOf(batch, recs))
				}
			}
			batch = append(batch, first)
		case <-w.kick:
		}
	fill:
		for len(batch) < w.opts.MaxBatch {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		batch = w.takePending(batch, w.opts.MaxBatch-len(batch))
		if len(batch) == 0 {
			continue
		}
		w.commit(batch, recordsOf(batch, recs))
	}
}

// recordsOf fills recs with the records of batch.
func recordsOf(batch []*appendRequest, recs []AuditRecord) []AuditRecord {
	recs = recs[:0]
	for _, r := range batch {
		recs = append(recs, r.rec)
	}
	return recs
}

func (w *AuditWriter) commit(batch []*appendRequest, recs []AuditRecord) {
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.CommitTimeout)
	defer cancel()
	start := time.Now()
	out, err := w.log.AppendAudit(ctx, recs...)
	if w.opts.OnCommit != nil {
		w.opts.OnCommit(len(recs), time.Since(start), err)
	}
	if err == nil && len(out) != len(batch) {
		err = errors.New("audit log returned a different number of records")
	}
	var lost []AuditRecord
	for i, r := range batch {
		switch {
		case r.reply == nil:
			if err != nil {
				lost = append(lost, r.rec)
			}
		case err != nil:
			r.reply <- appendReply{rec: r.rec, err: fmt.Errorf("commit audit batch of %d: %w", len(batch), err)}
		default:
			r.reply <- appendReply{rec: out[i]}
		}
	}
	if len(lost) > 0 && w.opts.OnError != nil {
		w.opts.OnError(lost, fmt.Errorf("commit audit batch of %d: %w", len(batch), err))
	}
}
