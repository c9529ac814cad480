package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Run is the job a handler runs.
type Run struct {
	// Job is the record as claimed: Fence and Attempts are this attempt's.
	Job store.Job

	st store.JobStore
	// writing orders the writes of progress to the record: a heartbeat
	// never writes an older progress after SaveProgress wrote a newer one.
	writing  sync.Mutex
	mu       sync.Mutex
	progress json.RawMessage
}

// Progress records p (a JSON object) as the job's progress at the next
// heartbeat.
func (r *Run) Progress(p json.RawMessage) {
	r.mu.Lock()
	r.progress = p
	r.mu.Unlock()
}

// SaveProgress writes p (a JSON object) to the job's record now, under
// the attempt's fencing token, for a step that must be on record before it
// is taken (a worker that takes the job over reads it). It returns
// store.ErrFenced (wrapped) when another worker holds the job: the handler
// must then stop.
func (r *Run) SaveProgress(ctx context.Context, p json.RawMessage) error {
	if r.st == nil {
		return fmt.Errorf("record the progress of job %s: the run is not a Runner's", r.Job.ID)
	}
	r.writing.Lock()
	defer r.writing.Unlock()
	r.takeProgress()
	if _, err := r.st.HeartbeatJob(ctx, r.Job.ID, r.Job.Fence, p, time.Now()); err != nil {
		return fmt.Errorf("record the progress of job %s: %w", r.Job.ID, err)
	}
	return nil
}

func (r *Run) takeProgress() json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.progress
	r.progress = nil
	return p
}

// beat renews the record under the fencing token, with the progress
// recorded since the last write.
func (r *Run) beat(ctx context.Context) (store.Job, error) {
	r.writing.Lock()
	defer r.writing.Unlock()
	return r.st.HeartbeatJob(ctx, r.Job.ID, r.Job.Fence, r.takeProgress(), time.Now())
}

// flush writes the progress recorded since the last write, if any.
func (r *Run) flush(ctx context.Context) error {
	r.writing.Lock()
	defer r.writing.Unlock()
	p := r.takeProgress()
	if p == nil {
		return nil
	}
	_, err := r.st.HeartbeatJob(ctx, r.Job.ID, r.Job.Fence, p, time.Now())
	return err
}
