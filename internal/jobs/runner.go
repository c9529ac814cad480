package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Handler runs one job. ctx ends when a cancel is requested, when the
// worker loses the job (its lease or fencing token) or when a shutdown's
// grace period is over; a handler should then stop soon and return ctx's
// error. The result, a JSON object, is stored when the handler succeeds.
type Handler func(ctx context.Context, run *Run) (result json.RawMessage, err error)

// HandleOptions say how the jobs of a kind run.
type HandleOptions struct {
	// ExclusivePerCluster lets at most one job of the kind run per cluster
	// at a time (defragmentation, benchmarks); others wait their turn.
	ExclusivePerCluster bool
}

// RunnerOptions tune a Runner. Zero values pick the defaults.
type RunnerOptions struct {
	// Name identifies this process's workers in records and the queue
	// (default host-pid); worker i is "<name>-<i>".
	Name string
	// Workers is how many jobs run at once (default 2).
	Workers int
	// Heartbeat is how often a running job's lease, record and lock are
	// renewed (default 10s): well under the queue's visibility timeout,
	// which is also the lock's ttl (LockTTL).
	Heartbeat time.Duration
	// LockTTL is how long a per-cluster lock lasts without a heartbeat
	// (default 3 heartbeats).
	LockTTL time.Duration
	// LimitRetry is when a job whose per-cluster slot is taken is offered
	// again (default 1s).
	LimitRetry time.Duration
	// ShutdownGrace is how long running jobs may go on after Run's context
	// ends before their context is cancelled and they are handed back
	// (default 10s).
	ShutdownGrace time.Duration
	// Limiter holds the per-cluster locks (default: in-process).
	Limiter Limiter
	// ReconcileInterval is how often the runner reconciles the records in
	// the store with the queue (see Reconciler), after a first pass at
	// start (default 1m; negative: never).
	ReconcileInterval time.Duration
	// Reconcile tunes the reconciler (its Logger and OnEvent default to
	// the runner's).
	Reconcile ReconcileOptions
	// OnEvent, when set, is told of every job a worker starts and every
	// record a worker finishes, from the worker's goroutine, after the
	// record was written. It must not block for long.
	OnEvent func(Event)
	Logger  *slog.Logger
}

// Runner is a pool of workers taking job ids from a queue.
type Runner struct {
	q        Queue
	st       store.JobStore
	opts     RunnerOptions
	log      *slog.Logger
	mu       sync.Mutex
	handlers map[string]handler
}

type handler struct {
	fn   Handler
	opts HandleOptions
}

// Causes of a job context's end.
var (
	errCancelRequested = errors.New("cancel requested")
	errLost            = errors.New("job lost: another worker holds it")
	errShutdown        = errors.New("worker shutting down")
)

// NewRunner returns a runner of q's jobs, whose records are in st.
func NewRunner(q Queue, st store.JobStore, opts RunnerOptions) *Runner {
	if opts.Name == "" {
		host, _ := os.Hostname()
		opts.Name = host + "-" + strconv.Itoa(os.Getpid())
	}
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 10 * time.Second
	}
	if opts.LockTTL <= 0 {
		opts.LockTTL = 3 * opts.Heartbeat
	}
	if opts.LimitRetry <= 0 {
		opts.LimitRetry = time.Second
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 10 * time.Second
	}
	if opts.Limiter == nil {
		opts.Limiter = NewMemLimiter()
	}
	if opts.ReconcileInterval == 0 {
		opts.ReconcileInterval = time.Minute
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Reconcile.Logger == nil {
		opts.Reconcile.Logger = log
	}
	if opts.Reconcile.OnEvent == nil {
		opts.Reconcile.OnEvent = opts.OnEvent
	}
	return &Runner{q: q, st: st, opts: opts, log: log.With("queue", q.Name()), handlers: map[string]handler{}}
}

// Handle registers the handler of a job kind. Call it before Run.
func (r *Runner) Handle(kind string, fn Handler, opts HandleOptions) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[kind] = handler{fn: fn, opts: opts}
}

// Run runs the workers, and the reconciler unless it is off, until ctx
// ends, then lets running jobs finish for ShutdownGrace before cancelling
// them and handing them back to the queue uncounted. It returns when every
// worker has stopped.
func (r *Runner) Run(ctx context.Context) error {
	hard, stop := context.WithCancelCause(context.Background())
	defer stop(nil)
	go func() {
		<-ctx.Done()
		t := time.NewTimer(r.opts.ShutdownGrace)
		defer t.Stop()
		select {
		case <-t.C:
			stop(errShutdown)
		case <-hard.Done():
		}
	}()
	var wg sync.WaitGroup
	if r.opts.ReconcileInterval > 0 {
		rec := NewReconciler(r.q, r.st, r.opts.Reconcile)
		wg.Go(func() { rec.Run(ctx, r.opts.ReconcileInterval) })
	}
	for i := range r.opts.Workers {
		wg.Go(func() { r.work(ctx, hard, fmt.Sprintf("%s-%d", r.opts.Name, i)) })
	}
	wg.Wait()
	return nil
}

func (r *Runner) work(ctx, hard context.Context, worker string) {
	pause := 100 * time.Millisecond
	for {
		m, err := r.q.Receive(ctx, worker)
		if ctx.Err() != nil {
			if err == nil { // received as the shutdown began: give it back
				r.bg(func(c context.Context) error { return r.q.Release(c, m, 0) })
			}
			return
		}
		if err != nil {
			r.log.Warn("receive failed; retrying", "worker", worker, "err", err, "in", pause)
			select {
			case <-ctx.Done():
				return
			case <-time.After(pause):
			}
			pause = min(2*pause, 5*time.Second)
			continue
		}
		pause = 100 * time.Millisecond
		r.process(hard, worker, m)
	}
}

// bg runs fn with a context of its own: the cleanup after a job must
// happen even when the job's or Run's context has ended.
func (r *Runner) bg(fn func(context.Context) error) error {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return fn(c)
}

func (r *Runner) process(hard context.Context, worker string, m Message) {
	log := r.log.With("worker", worker, "job", m.JobID, "attempt", m.Attempt)
	if m.DeadLettered {
		r.recordExpired(log, worker, m)
		return
	}
	var job store.Job
	err := r.bg(func(c context.Context) (err error) { job, err = r.st.Job(c, m.JobID); return err })
	switch {
	case errors.Is(err, store.ErrNotFound):
		log.Warn("queued job has no record; dropped")
		r.ack(log, m)
		return
	case err != nil:
		log.Warn("read job record failed; handed back", "err", err)
		r.release(log, m, r.opts.LimitRetry)
		return
	case job.Status.Final():
		r.ack(log, m)
		return
	}
	r.mu.Lock()
	h, known := r.handlers[job.Kind]
	r.mu.Unlock()
	lockKey, holder := "", worker+"/"+m.Receipt
	if known && h.opts.ExclusivePerCluster {
		lockKey = job.Kind + "/" + job.Cluster
		var ok bool
		err := r.bg(func(c context.Context) (err error) {
			ok, err = r.opts.Limiter.TryAcquire(c, lockKey, holder, r.opts.LockTTL)
			return err
		})
		if err != nil || !ok {
			if err != nil {
				log.Warn("take per-cluster lock failed; handed back", "err", err)
			}
			r.release(log, m, r.opts.LimitRetry)
			return
		}
		defer r.bg(func(c context.Context) error { return r.opts.Limiter.Release(c, lockKey, holder) })
	}
	err = r.bg(func(c context.Context) (err error) {
		job, err = r.st.ClaimJob(c, m.JobID, worker, time.Now(), r.q.Options().VisibilityTimeout)
		return err
	})
	switch {
	case errors.Is(err, store.ErrJobFinished):
		r.ack(log, m)
		return
	case errors.Is(err, store.ErrJobHeld):
		// A second delivery of a job a live worker runs (replicas with a queue each
		// both enqueued it): offered again later, and acknowledged once it finished.
		log.Debug("job runs elsewhere; handed back", "err", err)
		r.release(log, m, r.opts.LimitRetry)
		return
	case err != nil:
		log.Warn("claim failed; handed back", "err", err)
		r.release(log, m, r.opts.LimitRetry)
		return
	}
	log = log.With("fence", job.Fence)
	r.emit(Event{Type: EventStarted, Job: job})
	run := &Run{Job: job}
	run.st = r.st
	jobCtx, cancel := context.WithCancelCause(hard)
	defer cancel(nil)
	if job.CancelRequested {
		cancel(errCancelRequested)
	}
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		r.heartbeat(jobCtx, cancel, m, run, lockKey, holder, log)
	}()
	var result json.RawMessage
	var herr error
	switch {
	case jobCtx.Err() != nil:
		herr = context.Cause(jobCtx)
	case !known:
		herr = fmt.Errorf("no handler for job kind %q", job.Kind)
	default:
		result, herr = safeCall(jobCtx, h.fn, run)
	}
	cause := context.Cause(jobCtx)
	cancel(nil)
	<-hbDone
	r.finish(log, m, run, result, herr, cause)
}

// recordExpired fails the record of a job the queue dead-lettered because
// its last attempt's lease expired: a claim (for a token of its own),
// then the finish. The record's attempts count that claim too.
func (r *Runner) recordExpired(log *slog.Logger, worker string, m Message) {
	var finished store.Job
	err := r.bg(func(c context.Context) error {
		job, err := r.st.ClaimJob(c, m.JobID, worker, time.Now(), r.q.Options().VisibilityTimeout)
		if err != nil {
			return err
		}
		finished, err = r.st.FinishJob(c, m.JobID, job.Fence, store.JobOutcome{Status: store.JobFailed,
			Error: fmt.Sprintf("%s (attempt %d of %d)", expiredReason, m.Attempt, m.MaxAttempts)})
		return err
	})
	switch {
	case err == nil:
		log.Warn("job dead-lettered: its last attempt's lease expired")
		r.emit(Event{Type: EventFinished, Job: finished})
	case errors.Is(err, store.ErrJobFinished), errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrJobHeld):
		// Held: this was a second delivery of a job a live worker runs; its outcome is that worker's.
	default:
		log.Warn("record a dead-lettered job failed", "err", err)
	}
}

func safeCall(ctx context.Context, fn Handler, run *Run) (res json.RawMessage, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return fn(ctx, run)
}

// heartbeat renews the lease, the record and the lock until ctx ends; it
// ends ctx when the job was lost or a cancel was requested.
func (r *Runner) heartbeat(ctx context.Context, cancel context.CancelCauseFunc, m Message, run *Run, lockKey, holder string, log *slog.Logger) {
	t := time.NewTicker(r.opts.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := r.bg(func(c context.Context) error { return r.q.Extend(c, m) }); errors.Is(err, ErrLeaseLost) {
			log.Warn("lease lost; stopping the job", "err", err)
			cancel(errLost)
			return
		} else if err != nil {
			log.Warn("extend lease failed", "err", err)
		}
		var job store.Job
		err := r.bg(func(c context.Context) (err error) { job, err = run.beat(c); return err })
		switch {
		case errors.Is(err, store.ErrFenced), errors.Is(err, store.ErrJobFinished):
			log.Warn("fenced out; stopping the job", "err", err)
			cancel(errLost)
			return
		case err != nil:
			log.Warn("heartbeat to the store failed", "err", err)
		case job.CancelRequested:
			cancel(errCancelRequested)
			return
		}
		if lockKey != "" {
			if err := r.bg(func(c context.Context) error { return r.opts.Limiter.Refresh(c, lockKey, holder, r.opts.LockTTL) }); err != nil {
				log.Warn("refresh per-cluster lock failed", "err", err)
			}
		}
	}
}

// finish writes the outcome under the fencing token, then settles the
// message: store first, so that a crash in between leaves a finished
// record whose redelivery is only acked.
func (r *Runner) finish(log *slog.Logger, m Message, run *Run, result json.RawMessage, herr, cause error) {
	id, fence := m.JobID, run.Job.Fence
	_ = r.bg(run.flush)
	var out store.JobOutcome
	switch {
	case errors.Is(cause, errLost):
		log.Warn("job lost to another worker; its outcome is not recorded", "err", herr)
		return
	case herr == nil:
		out = store.JobOutcome{Status: store.JobSucceeded, Result: result}
	case errors.Is(cause, errShutdown):
		log.Info("shutting down: job handed back")
		err := r.bg(func(c context.Context) error { _, err := r.st.ReleaseJob(c, id, fence, true, ""); return err })
		if err != nil {
			log.Warn("hand back the record failed", "err", err)
		}
		r.release(log, m, 0)
		return
	case errors.Is(cause, errCancelRequested):
		out = store.JobOutcome{Status: store.JobCancelled, Error: "cancelled on request"}
	case !m.Final():
		err := r.bg(func(c context.Context) error {
			_, err := r.st.ReleaseJob(c, id, fence, false, herr.Error())
			return err
		})
		if err != nil {
			log.Warn("record the failed attempt failed", "err", err)
			return
		}
		log.Info("attempt failed; will retry", "err", herr)
		r.nack(log, m, herr.Error())
		return
	default:
		out = store.JobOutcome{Status: store.JobFailed, Error: herr.Error()}
	}
	var finished store.Job
	err := r.bg(func(c context.Context) (err error) { finished, err = r.st.FinishJob(c, id, fence, out); return err })
	switch {
	case errors.Is(err, store.ErrFenced):
		log.Warn("finish refused: another worker holds the job", "err", err)
		return
	case errors.Is(err, store.ErrJobFinished):
	case err != nil:
		// The lease will expire and another attempt will run.
		log.Warn("record the outcome failed", "err", err)
		return
	default:
		r.emit(Event{Type: EventFinished, Job: finished})
	}
	if out.Status == store.JobFailed {
		r.nack(log, m, out.Error)
		return
	}
	r.ack(log, m)
}

func (r *Runner) emit(e Event) {
	if r.opts.OnEvent != nil {
		r.opts.OnEvent(e)
	}
}

func (r *Runner) ack(log *slog.Logger, m Message) {
	if err := r.bg(func(c context.Context) error { return r.q.Ack(c, m) }); err != nil {
		log.Warn("ack failed", "err", err)
	}
}

func (r *Runner) nack(log *slog.Logger, m Message, reason string) {
	if _, err := r.q.Nack(context.Background(), m, reason); err != nil {
		log.Warn("nack failed", "err", err)
	}
}

func (r *Runner) release(log *slog.Logger, m Message, after time.Duration) {
	if err := r.bg(func(c context.Context) error { return r.q.Release(c, m, after) }); err != nil {
		log.Warn("hand back failed", "err", err)
	}
}
