package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// JobWriterOptions tune a JobWriter. Zero values pick the defaults.
type JobWriterOptions struct {
	// MaxBatch is the most jobs created in one transaction (default 500).
	MaxBatch int
	// CommitTimeout bounds one batch (default 10s).
	CommitTimeout time.Duration
	// OnCommit, when set, is told about every batch: how many jobs, how long
	// it took and its error. It must not block for long.
	OnCommit func(jobs int, took time.Duration, err error)
}

// JobWriter is a JobStore whose CreateJob group-commits: while one batch
// is in flight, the jobs that concurrent callers create queue up and go
// into the next one, a single CreateJobs (one transaction, one commit).
// Each caller still waits for its own job's commit and gets its own
// outcome; the other methods are the store's own.
type JobWriter struct {
	JobStore
	opts   JobWriterOptions
	reqs   chan *createRequest
	done   chan struct{}
	once   sync.Once
	mu     sync.RWMutex // guards sends on reqs against Close
	closed bool
}

var _ JobStore = (*JobWriter)(nil)

type createRequest struct {
	job   Job
	reply chan JobCreation
}

// NewJobWriter starts a writer creating jobs in st. Close it to stop it;
// st stays open.
func NewJobWriter(st JobStore, opts JobWriterOptions) *JobWriter {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 500
	}
	if opts.CommitTimeout <= 0 {
		opts.CommitTimeout = 10 * time.Second
	}
	w := &JobWriter{
		JobStore: st,
		opts:     opts,
		reqs:     make(chan *createRequest, opts.MaxBatch),
		done:     make(chan struct{}),
	}
	go w.run()
	return w
}

// CreateJob implements JobStore: j goes into the next batch, and the call
// returns once the batch is committed. On a ctx error the caller must
// assume the job may still be created (a retry with the same idempotency
// key finds it).
func (w *JobWriter) CreateJob(ctx context.Context, j Job) (Job, bool, error) {
	// Validated and timed here, so that an invalid job never joins a batch
	// and CreatedAt is when it was asked for, not when its batch went in.
	j, err := PrepareJob(j, time.Now())
	if err != nil {
		return Job{}, false, err
	}
	req := &createRequest{job: j, reply: make(chan JobCreation, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return Job{}, false, fmt.Errorf("create job %s: job writer: %w", j.ID, ErrClosed)
	}
	select {
	case w.reqs <- req:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return Job{}, false, fmt.Errorf("create job %s: queue for commit: %w", j.ID, ctx.Err())
	}
	select {
	case r := <-req.reply:
		return r.Job, r.Created, r.Err
	case <-ctx.Done():
		return Job{}, false, fmt.Errorf("create job %s: wait for commit: %w", j.ID, ctx.Err())
	}
}

// Close creates the jobs already queued and stops the writer. CreateJob
// after Close returns ErrClosed; the store is not closed.
func (w *JobWriter) Close() error {
	w.once.Do(func() {
		w.mu.Lock()
		w.closed = true
		close(w.reqs)
		w.mu.Unlock()
	})
	<-w.done
	return nil
}

func (w *JobWriter) run() {
	defer close(w.done)
	batch := make([]*createRequest, 0, w.opts.MaxBatch)
	jobs := make([]Job, 0, w.opts.MaxBatch)
	for first := range w.reqs {
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
		jobs = jobs[:0]
		for _, r := range batch {
			jobs = append(jobs, r.job)
		}
		w.commit(batch, jobs)
	}
}

func (w *JobWriter) commit(batch []*createRequest, jobs []Job) {
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.CommitTimeout)
	defer cancel()
	start := time.Now()
	out, err := w.JobStore.CreateJobs(ctx, jobs)
	if err == nil && len(out) != len(batch) {
		err = errors.New("store returned a different number of jobs")
	}
	if w.opts.OnCommit != nil {
		w.opts.OnCommit(len(jobs), time.Since(start), err)
	}
	for i, r := range batch {
		if err != nil {
			r.reply <- JobCreation{Err: fmt.Errorf("create job %s in a batch of %d: %w", r.job.ID, len(batch), err)}
			continue
		}
		r.reply <- out[i]
	}
}
