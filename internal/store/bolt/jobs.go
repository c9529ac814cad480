package bolt

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// CreateJob implements store.JobStore.
func (s *Store) CreateJob(ctx context.Context, j store.Job) (store.Job, bool, error) {
	out, err := s.CreateJobs(ctx, []store.Job{j})
	if err != nil {
		return store.Job{}, false, err
	}
	return out[0].Job, out[0].Created, out[0].Err
}

// CreateJobs implements store.JobStore: one Update, so one fsync, for the
// whole batch. The jobs go in in order within it, so a job sees the
// idempotency keys of the ones before it.
func (s *Store) CreateJobs(ctx context.Context, js []store.Job) ([]store.JobCreation, error) {
	if len(js) == 0 {
		return nil, nil
	}
	out := make([]store.JobCreation, len(js))
	now := time.Now()
	for i, j := range js {
		if out[i].Job, out[i].Err = store.PrepareJob(j, now); out[i].Err != nil {
			out[i].Job = store.Job{}
		}
	}
	err := s.update(func(tx *bbolt.Tx) error {
		jobs, keys := tx.Bucket(bucketJobs), tx.Bucket(bucketJobKeys)
		for i := range out {
			if out[i].Err != nil {
				continue
			}
			j := out[i].Job
			job, created, err := createJob(jobs, keys, j)
			switch {
			case errors.Is(err, store.ErrConflict):
				out[i] = store.JobCreation{Err: fmt.Errorf("create job %s: %w", j.ID, err)}
			case err != nil:
				return fmt.Errorf("job %s: %w", j.ID, err)
			default:
				out[i] = store.JobCreation{Job: job, Created: created}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create jobs: %w", err)
	}
	return out, nil
}

// createJob stores j unless its idempotency key is taken, in which case
// it returns the job holding the key. It writes nothing when it returns
// an error.
func createJob(jobs, keys *bbolt.Bucket, j store.Job) (store.Job, bool, error) {
	if j.IdempotencyKey != "" {
		if id := keys.Get([]byte(j.IdempotencyKey)); id != nil {
			existing, err := getJob(jobs, string(id))
			if err != nil {
				return store.Job{}, false, err
			}
			if err := store.CheckIdempotentJob(existing, j); err != nil {
				return store.Job{}, false, err
			}
			return existing, false, nil
		}
	}
	if jobs.Get([]byte(j.ID)) != nil {
		return store.Job{}, false, fmt.Errorf("job id %s: %w", j.ID, store.ErrConflict)
	}
	if j.IdempotencyKey != "" {
		if err := keys.Put([]byte(j.IdempotencyKey), []byte(j.ID)); err != nil {
			return store.Job{}, false, err
		}
	}
	if err := putJob(jobs, j); err != nil {
		return store.Job{}, false, err
	}
	return j, true, nil
}

// Job implements store.JobStore.
func (s *Store) Job(ctx context.Context, id string) (store.Job, error) {
	var j store.Job
	err := s.view(func(tx *bbolt.Tx) (err error) {
		j, err = getJob(tx.Bucket(bucketJobs), id)
		return err
	})
	if err != nil {
		return store.Job{}, fmt.Errorf("job %s: %w", id, err)
	}
	return j, nil
}

// ListJobs implements store.JobStore. It reads every record: the embedded
// store is for one process and a modest history.
func (s *Store) ListJobs(ctx context.Context, f store.JobFilter) (store.JobPage, error) {
	if err := store.CheckJobFilter(f); err != nil {
		return store.JobPage{}, err
	}
	cur, hasCur, _ := store.ParseJobCursor(f.Cursor)
	limit := store.ClampJobLimit(f.Limit)
	var all []store.Job
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			j, err := decodeJob(v)
			if err != nil {
				return fmt.Errorf("job %s: %w", k, err)
			}
			if !f.Match(j) || (hasCur && !cur.Before(j)) {
				return nil
			}
			all = append(all, j)
			return nil
		})
	})
	if err != nil {
		return store.JobPage{}, fmt.Errorf("list jobs: %w", err)
	}
	slices.SortFunc(all, func(a, b store.Job) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	var page store.JobPage
	if len(all) > limit {
		all = all[:limit]
		last := all[limit-1]
		page.Next = store.JobCursor{CreatedAt: last.CreatedAt, ID: last.ID}.Encode()
	}
	page.Jobs = all
	return page, nil
}

// ClaimJob implements store.JobStore.
func (s *Store) ClaimJob(ctx context.Context, id, worker string, at time.Time, heldFor time.Duration) (store.Job, error) {
	at = store.NormalizeTime(nowIfZero(at))
	return s.mutateJob("claim", id, func(j *store.Job) error {
		if j.Status.Final() {
			return store.ErrJobFinished
		}
		if store.JobHeld(*j, at, heldFor) {
			return fmt.Errorf("worker %s heartbeat at %s: %w", j.Worker, j.HeartbeatAt.Format(time.RFC3339Nano), store.ErrJobHeld)
		}
		j.Status, j.Worker, j.HeartbeatAt = store.JobRunning, worker, at
		j.Attempts++
		j.Fence++
		if j.StartedAt.IsZero() {
			j.StartedAt = at
		}
		return nil
	})
}

// HeartbeatJob implements store.JobStore.
func (s *Store) HeartbeatJob(ctx context.Context, id string, fence int64, progress json.RawMessage, at time.Time) (store.Job, error) {
	progress, err := store.PrepareJobProgress(progress)
	if err != nil {
		return store.Job{}, fmt.Errorf("heartbeat job %s: %w", id, err)
	}
	at = store.NormalizeTime(nowIfZero(at))
	return s.mutateJob("heartbeat", id, func(j *store.Job) error {
		if err := holds(j, fence); err != nil {
			return err
		}
		j.HeartbeatAt = at
		if progress != nil {
			j.Progress = progress
		}
		return nil
	})
}

// ReleaseJob implements store.JobStore.
func (s *Store) ReleaseJob(ctx context.Context, id string, fence int64, uncount bool, lastErr string) (store.Job, error) {
	return s.mutateJob("release", id, func(j *store.Job) error {
		if err := holds(j, fence); err != nil {
			return err
		}
		j.Status, j.Worker = store.JobQueued, ""
		if uncount && j.Attempts > 0 {
			j.Attempts--
		}
		if lastErr != "" {
			j.Error = store.CutJobError(lastErr)
		}
		return nil
	})
}

// FinishJob implements store.JobStore.
func (s *Store) FinishJob(ctx context.Context, id string, fence int64, out store.JobOutcome) (store.Job, error) {
	out, err := store.PrepareJobOutcome(out, time.Now())
	if err != nil {
		return store.Job{}, fmt.Errorf("finish job %s: %w", id, err)
	}
	return s.mutateJob("finish", id, func(j *store.Job) error {
		if err := holds(j, fence); err != nil {
			return err
		}
		j.Status, j.Result, j.Error, j.FinishedAt = out.Status, out.Result, out.Error, out.At
		return nil
	})
}

// RequestJobCancel implements store.JobStore.
func (s *Store) RequestJobCancel(ctx context.Context, id string, at time.Time) (store.Job, error) {
	at = store.NormalizeTime(nowIfZero(at))
	return s.mutateJob("cancel", id, func(j *store.Job) error {
		switch {
		case j.Status.Final():
		case j.Status == store.JobQueued:
			j.CancelRequested, j.Status, j.FinishedAt = true, store.JobCancelled, at
		default:
			j.CancelRequested = true
		}
		return nil
	})
}

// holds checks that fence is the running job's current token.
func holds(j *store.Job, fence int64) error {
	switch {
	case j.Fence != fence:
		return fmt.Errorf("fence %d, current %d: %w", fence, j.Fence, store.ErrFenced)
	case j.Status.Final():
		return store.ErrJobFinished
	case j.Status != store.JobRunning:
		return fmt.Errorf("job is %s, not running: %w", j.Status, store.ErrFenced)
	}
	return nil
}

func (s *Store) mutateJob(op, id string, fn func(*store.Job) error) (store.Job, error) {
	var j store.Job
	err := s.update(func(tx *bbolt.Tx) (err error) {
		jobs := tx.Bucket(bucketJobs)
		if j, err = getJob(jobs, id); err != nil {
			return err
		}
		if err := fn(&j); err != nil {
			return err
		}
		return putJob(jobs, j)
	})
	if err != nil {
		return store.Job{}, fmt.Errorf("%s job %s: %w", op, id, err)
	}
	return j, nil
}

func nowIfZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

func putJob(b *bbolt.Bucket, j store.Job) error {
	v, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("encode job: %w", err)
	}
	return b.Put([]byte(j.ID), v)
}

func getJob(b *bbolt.Bucket, id string) (store.Job, error) {
	v := b.Get([]byte(id))
	if v == nil {
		return store.Job{}, store.ErrNotFound
	}
	return decodeJob(v)
}

func decodeJob(v []byte) (store.Job, error) {
	var j store.Job
	if err := json.Unmarshal(v, &j); err != nil {
		return store.Job{}, fmt.Errorf("decode job: %w", err)
	}
	return j, nil
}
