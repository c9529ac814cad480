package jobs

import (
	"context"
	"fmt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Submit stores j and puts its id on q. With an idempotency key already
// used it returns the existing job, and enqueues it again only while it is
// queued (Enqueue of an id already in the queue is a no-op), so a retry
// after an enqueue error repairs it. An enqueue error names the queue; the
// record then stays queued, and the Reconciler enqueues it when the queue
// is back.
func Submit(ctx context.Context, st store.JobStore, q Queue, j store.Job) (store.Job, error) {
	job, _, err := st.CreateJob(ctx, j)
	if err != nil {
		return store.Job{}, fmt.Errorf("submit job: %w", err)
	}
	if job.Status != store.JobQueued {
		return job, nil
	}
	if err := q.Enqueue(ctx, job.ID); err != nil {
		return job, fmt.Errorf("submit job %s: %w", job.ID, err)
	}
	return job, nil
}
