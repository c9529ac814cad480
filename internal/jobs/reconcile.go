package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// ReconcileOptions tune a Reconciler. Zero values pick the defaults.
type ReconcileOptions struct {
	// StaleAfter is how old a running record's last heartbeat must be
	// before its worker is taken for dead (default 3 × the queue's
	// visibility timeout: a live worker heartbeats well within one, and
	// the margin covers clock skew between hosts).
	StaleAfter time.Duration
	// PageSize is how many records one ListJobs call returns (default 100).
	PageSize int
	// MaxPerPass bounds the records one pass looks at (default 1,000); the
	// next pass goes on where this one stopped.
	MaxPerPass int
	// OnEvent, when set, is told of every record a pass finishes (failed).
	OnEvent func(Event)
	// OnPass, when set, gets the report of every pass (for metrics).
	OnPass func(ReconcileReport)
	Logger *slog.Logger
}

// Reconciler repairs what the queue lost, taking the records in the store
// as the truth:
//
//   - a queued record whose id is not in the queue (an enqueue that failed
//     after the record was made, a Redis restarted without persistence, an
//     in-process queue after a restart) is enqueued again;
//   - a running record whose id is not in the queue and whose heartbeat is
//     older than StaleAfter lost its worker and its lease together. While
//     its attempts are under the queue's MaxAttempts it is handed back
//     (ReleaseJob, attempt counted, then enqueued); otherwise it is
//     finished failed. Both are written under the fencing token the pass
//     read, so they fail with ErrFenced when anyone claimed the job since,
//     and a worker that was alive after all is refused (ErrFenced, or
//     ErrJobFinished once failed) at its next heartbeat or its finish.
//
// A running record whose id is in the queue is left to the queue: its
// lease expires and another worker claims it, or it is dead-lettered.
//
// Passes are idempotent (Enqueue of a queued id is a no-op, releases and
// finishes are fenced), so several replicas may reconcile at once.
type Reconciler struct {
	q    Queue
	st   store.JobStore
	opts ReconcileOptions
	log  *slog.Logger

	mu     sync.Mutex
	cursor map[store.JobStatus]string // where the next pass goes on
}

// ReconcileReport counts what one pass did.
type ReconcileReport struct {
	Checked    int // records looked at
	Enqueued   int // queued records put back on the queue
	HandedBack int // running records of dead workers queued again
	Failed     int // running records of dead workers out of attempts
}

// NewReconciler returns a reconciler of q with the records in st.
func NewReconciler(q Queue, st store.JobStore, opts ReconcileOptions) *Reconciler {
	if opts.StaleAfter <= 0 {
		opts.StaleAfter = 3 * q.Options().VisibilityTimeout
	}
	if opts.PageSize <= 0 {
		opts.PageSize = store.DefaultJobLimit
	}
	opts.PageSize = store.ClampJobLimit(opts.PageSize)
	if opts.MaxPerPass <= 0 {
		opts.MaxPerPass = 1000
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reconciler{q: q, st: st, opts: opts, log: log.With("queue", q.Name()), cursor: map[store.JobStatus]string{}}
}

// Pass looks at up to MaxPerPass queued and running records, each status
// going on from where the previous pass stopped, and repairs them. It
// returns what it did and the errors it met. An error of the store on one
// record does not stop the others; an error of the queue (unreachable, as
// it would be for every record) ends the pass, and the next one starts
// again at the page where it happened.
func (r *Reconciler) Pass(ctx context.Context) (ReconcileReport, error) {
	var rep ReconcileReport
	var errs []error
	budget := r.opts.MaxPerPass
	for _, status := range []store.JobStatus{store.JobQueued, store.JobRunning} {
		share := budget / 2
		if status == store.JobRunning {
			share = budget - rep.Checked
		}
		if err := r.pass(ctx, status, share, &rep); err != nil {
			errs = append(errs, err)
		}
	}
	return rep, errors.Join(errs...)
}

func (r *Reconciler) pass(ctx context.Context, status store.JobStatus, budget int, rep *ReconcileReport) error {
	r.mu.Lock()
	cursor := r.cursor[status]
	r.mu.Unlock()
	var errs []error
	for budget > 0 {
		page, err := r.st.ListJobs(ctx, store.JobFilter{Status: status, Cursor: cursor, Limit: min(r.opts.PageSize, budget)})
		if err != nil {
			return errors.Join(append(errs, fmt.Errorf("reconcile: list %s jobs: %w", status, err))...)
		}
		for _, j := range page.Jobs {
			rep.Checked++
			budget--
			err := r.one(ctx, j, rep)
			var qe *queueError
			if errors.As(err, &qe) {
				r.mu.Lock()
				r.cursor[status] = cursor
				r.mu.Unlock()
				return errors.Join(append(errs, err)...)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
		cursor = page.Next
		if cursor == "" {
			break
		}
	}
	r.mu.Lock()
	r.cursor[status] = cursor
	r.mu.Unlock()
	return errors.Join(errs...)
}

func (r *Reconciler) one(ctx context.Context, j store.Job, rep *ReconcileReport) error {
	if j.Status != store.JobQueued && j.Status != store.JobRunning {
		return nil // changed between the filter and the read (PostgreSQL pages)
	}
	in, err := r.q.Has(ctx, j.ID)
	if err != nil {
		return &queueError{fmt.Errorf("reconcile job %s: %w", j.ID, err)}
	}
	if in {
		return nil
	}
	log := r.log.With("job", j.ID, "kind", j.Kind, "cluster", j.Cluster)
	if j.Status == store.JobQueued {
		if err := r.q.Enqueue(ctx, j.ID); err != nil {
			return &queueError{fmt.Errorf("reconcile job %s: %w", j.ID, err)}
		}
		rep.Enqueued++
		log.Info("queued job was not in the queue; enqueued again")
		return nil
	}
	last := j.HeartbeatAt
	if last.IsZero() {
		last = j.CreatedAt
	}
	if time.Since(last) < r.opts.StaleAfter {
		return nil
	}
	why := fmt.Sprintf("worker %s lost: no heartbeat since %s and the job was not in queue %s",
		j.Worker, last.UTC().Format(time.RFC3339), r.q.Name())
	if maxAttempts := r.q.Options().MaxAttempts; j.Attempts >= maxAttempts {
		finished, err := r.st.FinishJob(ctx, j.ID, j.Fence, store.JobOutcome{Status: store.JobFailed,
			Error: fmt.Sprintf("%s (attempt %d of %d)", why, j.Attempts, maxAttempts)})
		switch {
		case errors.Is(err, store.ErrFenced), errors.Is(err, store.ErrJobFinished):
			return nil // claimed or finished since the read: not ours
		case err != nil:
			return fmt.Errorf("reconcile job %s: %w", j.ID, err)
		}
		if r.opts.OnEvent != nil {
			r.opts.OnEvent(Event{Type: EventFinished, Job: finished})
		}
		rep.Failed++
		log.Warn("job of a lost worker is out of attempts; failed", "attempts", j.Attempts)
		return nil
	}
	_, err = r.st.ReleaseJob(ctx, j.ID, j.Fence, false, why)
	switch {
	case errors.Is(err, store.ErrFenced), errors.Is(err, store.ErrJobFinished):
		return nil
	case err != nil:
		return fmt.Errorf("reconcile job %s: %w", j.ID, err)
	}
	// A failure here leaves a queued record that the next pass enqueues.
	if err := r.q.Enqueue(ctx, j.ID); err != nil {
		return &queueError{fmt.Errorf("reconcile job %s: %w", j.ID, err)}
	}
	rep.HandedBack++
	log.Warn("job of a lost worker handed back", "worker", j.Worker, "fence", j.Fence, "attempts", j.Attempts)
	return nil
}

// queueError is an error of the queue, which ends a pass.
type queueError struct{ err error }

func (e *queueError) Error() string { return e.err.Error() }
func (e *queueError) Unwrap() error { return e.err }

// Run passes once at once, then every interval until ctx ends.
func (r *Reconciler) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rep, err := r.Pass(ctx)
		if r.opts.OnPass != nil {
			r.opts.OnPass(rep)
		}
		if err != nil && ctx.Err() == nil {
			r.log.Warn("reconcile pass failed in part", "err", err, "checked", rep.Checked)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
