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
	// Committers is how many batches may be in flight at once (default 2).
	// The store still commits them one after the other, but a second
	// batch is gathered and sent while the first is being made durable, so
	// callers arriving during a commit form the next batch instead of
	// alternating between a large and a small one.
	Committers int
}

// AuditWriter group-commits audit records from many goroutines: while one
// transaction is in flight, the records that arrive queue up and go into the
// next one. Append returns only after its record is committed, so a caller
// can refuse an operation whose record could not be written.
type AuditWriter struct {
	log    AuditAppender
	opts   AuditWriterOptions
	reqs   chan *appendRequest
	done   chan struct{}
	once   sync.Once
	mu     sync.RWMutex // guards sends on reqs against Close
	closed bool
}

type appendRequest struct {
	rec   AuditRecord
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
		opts.Committers = 2
	}
	w := &AuditWriter{
		log:  log,
		opts: opts,
		reqs: make(chan *appendRequest, opts.MaxBatch),
		done: make(chan struct{}),
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
		first, ok := <-w.reqs
		if !ok {
			return
		}
		batch = append(batch[:0], first)
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
		recs = recs[:0]
		for _, r := range batch {
			recs = append(recs, r.rec)
		}
		w.commit(batch, recs)
	}
}

func (w *AuditWriter) commit(batch []*appendRequest, recs []AuditRecord) {
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.CommitTimeout)
	defer cancel()
	out, err := w.log.AppendAudit(ctx, recs...)
	if err == nil && len(out) != len(batch) {
		err = errors.New("audit log returned a different number of records")
	}
	for i, r := range batch {
		if err != nil {
			r.reply <- appendReply{rec: r.rec, err: fmt.Errorf("commit audit batch of %d: %w", len(batch), err)}
			continue
		}
		r.reply <- appendReply{rec: out[i]}
	}
}
