package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

const jobColumns = `id, kind, cluster, parameters, requested_by, idempotency_key, status, progress, result, error,
	attempts, fence, worker, cancel_requested, created_at, started_at, heartbeat_at, finished_at`

// CreateJob implements store.JobStore.
func (s *Store) CreateJob(ctx context.Context, j store.Job) (store.Job, bool, error) {
	out, err := s.CreateJobs(ctx, []store.Job{j})
	if err != nil {
		return store.Job{}, false, err
	}
	return out[0].Job, out[0].Created, out[0].Err
}

// CreateJobs implements store.JobStore. The jobs go in with one multi-row
// INSERT ... ON CONFLICT DO NOTHING (one statement, so one commit, all or
// nothing), then one SELECT reads the jobs holding the keys of those not
// inserted; a concurrent insert of the same key elsewhere loses or wins on
// the unique index the same way, and the SELECT, a statement of its own,
// sees the winner. A job whose key or id an earlier job of the batch also
// has waits for a second round, so that it sees that job as it would one
// at a time. Only a failure of the first INSERT fails the batch; after it,
// a failure is the error of each job it leaves unsettled (none of which
// is stored).
func (s *Store) CreateJobs(ctx context.Context, js []store.Job) ([]store.JobCreation, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("create jobs: %w", err)
	}
	out := make([]store.JobCreation, len(js))
	now := time.Now()
	var todo []int
	for i, j := range js {
		if out[i].Job, out[i].Err = store.PrepareJob(j, now); out[i].Err != nil {
			out[i].Job = store.Job{}
			continue
		}
		todo = append(todo, i)
	}
	// holders are the jobs known to hold a key, from this batch or before.
	holders := map[string]store.Job{}
	for first := true; len(todo) > 0; first = false {
		var round, later []int
		keys, ids := map[string]bool{}, map[string]bool{}
		for _, i := range todo {
			j := out[i].Job
			if h, ok := holders[j.IdempotencyKey]; ok && j.IdempotencyKey != "" {
				out[i] = idempotentCreation(h, j)
				continue
			}
			if keys[j.IdempotencyKey] || ids[j.ID] {
				later = append(later, i)
				continue
			}
			if j.IdempotencyKey != "" {
				keys[j.IdempotencyKey] = true
			}
			ids[j.ID] = true
			round = append(round, i)
		}
		err := s.insertJobs(ctx, out, round, holders)
		switch {
		case err != nil && first:
			return nil, fmt.Errorf("create jobs: %w", err)
		case err != nil:
			for _, i := range append(round, later...) {
				out[i] = store.JobCreation{Err: fmt.Errorf("create job %s: %w", out[i].Job.ID, err)}
			}
			return out, nil
		}
		todo = later
	}
	return out, nil
}

// insertJobs inserts the jobs out[round] and settles each: created, the
// job holding its key (recorded in holders), or ErrConflict for a taken id.
// It returns an error only when the INSERT fails (then nothing is stored
// and nothing settled); when the SELECT after it fails, that is the error
// of each job whose key was taken. The rows go in key order, so that the
// batches of other writers sharing keys take the keys' index locks in the
// same order and cannot deadlock.
func (s *Store) insertJobs(ctx context.Context, out []store.JobCreation, round []int, holders map[string]store.Job) error {
	if len(round) == 0 {
		return nil
	}
	n := len(round)
	ids, kinds, clusters, params := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	by, keys, created := make([]string, n), make([]*string, n), make([]time.Time, n)
	for k, i := range round {
		j := out[i].Job
		ids[k], kinds[k], clusters[k], params[k], by[k], created[k] = j.ID, j.Kind, j.Cluster, string(j.Parameters), j.RequestedBy, j.CreatedAt
		if j.IdempotencyKey != "" {
			keys[k] = &j.IdempotencyKey
		}
	}
	rows, err := s.pool.Query(ctx, `INSERT INTO jobs (`+jobColumns+`)
		SELECT id, kind, cluster, parameters::jsonb, requested_by, idempotency_key, 'queued', '{}'::jsonb, '{}'::jsonb, '', 0, 0, '', false,
			created_at, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
			AS t(id, kind, cluster, parameters, requested_by, idempotency_key, created_at)
		ORDER BY idempotency_key COLLATE "C"
		ON CONFLICT DO NOTHING RETURNING id`, ids, kinds, clusters, params, by, keys, created)
	if err != nil {
		return err
	}
	inserted, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	done := make(map[string]bool, len(inserted))
	for _, id := range inserted {
		done[id] = true
	}
	var taken []string
	for _, i := range round {
		j := out[i].Job
		switch {
		case done[j.ID]:
			out[i].Created = true
			if j.IdempotencyKey != "" {
				holders[j.IdempotencyKey] = j
			}
		case j.IdempotencyKey != "":
			taken = append(taken, j.IdempotencyKey)
		}
	}
	var readErr error
	if len(taken) > 0 {
		var existing []store.Job
		rows, err := s.pool.Query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE idempotency_key = ANY($1)`, taken)
		if err == nil {
			existing, err = pgx.CollectRows(rows, scanJob)
		}
		if err != nil {
			readErr = fmt.Errorf("read jobs by idempotency key: %w", err)
		}
		for _, e := range existing {
			holders[e.IdempotencyKey] = e
		}
	}
	for _, i := range round {
		j := out[i].Job
		if done[j.ID] {
			continue
		}
		h, ok := holders[j.IdempotencyKey]
		switch {
		case ok && j.IdempotencyKey != "":
			out[i] = idempotentCreation(h, j)
		case readErr != nil && j.IdempotencyKey != "":
			out[i] = store.JobCreation{Err: fmt.Errorf("create job %s: %w", j.ID, readErr)}
		default:
			out[i] = store.JobCreation{Err: fmt.Errorf("create job %s: job id %s: %w", j.ID, j.ID, store.ErrConflict)}
		}
	}
	return nil
}

// idempotentCreation is the outcome of creating j when h holds its key.
func idempotentCreation(h, j store.Job) store.JobCreation {
	if err := store.CheckIdempotentJob(h, j); err != nil {
		return store.JobCreation{Err: fmt.Errorf("create job: %w", err)}
	}
	return store.JobCreation{Job: h}
}

// Job implements store.JobStore.
func (s *Store) Job(ctx context.Context, id string) (store.Job, error) {
	if err := s.check(); err != nil {
		return store.Job{}, fmt.Errorf("job %s: %w", id, err)
	}
	j, err := oneJob(ctx, s.pool, `id = $1`, id)
	if err != nil {
		return store.Job{}, fmt.Errorf("job %s: %w", id, err)
	}
	return j, nil
}

// ListJobs implements store.JobStore.
func (s *Store) ListJobs(ctx context.Context, f store.JobFilter) (store.JobPage, error) {
	if err := s.check(); err != nil {
		return store.JobPage{}, fmt.Errorf("list jobs: %w", err)
	}
	if err := store.CheckJobFilter(f); err != nil {
		return store.JobPage{}, err
	}
	limit := store.ClampJobLimit(f.Limit)
	var where []string
	var args []any
	add := func(cond string, vs ...any) {
		for _, v := range vs {
			args = append(args, v)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1)
		}
		where = append(where, cond)
	}
	if f.Kind != "" {
		add("kind = ?", f.Kind)
	}
	if f.Cluster != "" {
		add("cluster = ?", f.Cluster)
	}
	if len(f.Clusters) > 0 {
		add("cluster = ANY(?)", f.Clusters)
	}
	if f.Status != "" {
		add("status = ?", string(f.Status))
	}
	if f.RequestedBy != "" {
		add("requested_by = ?", f.RequestedBy)
	}
	if cur, ok, _ := store.ParseJobCursor(f.Cursor); ok {
		add(`(created_at, id COLLATE "C") < (?, ? COLLATE "C")`, cur.CreatedAt, cur.ID)
	}
	sql := `SELECT ` + jobColumns + ` FROM jobs`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += fmt.Sprintf(` ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT %d`, limit+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return store.JobPage{}, fmt.Errorf("list jobs: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, scanJob)
	if err != nil {
		return store.JobPage{}, fmt.Errorf("list jobs: %w", err)
	}
	var page store.JobPage
	if len(jobs) > limit {
		jobs = jobs[:limit]
		last := jobs[limit-1]
		page.Next = store.JobCursor{CreatedAt: last.CreatedAt, ID: last.ID}.Encode()
	}
	page.Jobs = jobs
	return page, nil
}

// ClaimJob implements store.JobStore.
func (s *Store) ClaimJob(ctx context.Context, id, worker string, at time.Time, heldFor time.Duration) (store.Job, error) {
	at = store.NormalizeTime(nowIfZero(at))
	// A running record with a heartbeat after $5 is held; heldFor <= 0 makes $5 NULL, which holds nothing.
	var heldSince *time.Time
	if heldFor > 0 {
		heldSince = new(at.Add(-heldFor))
	}
	j, err := s.updateJob(ctx, "claim", id, -1, `status = 'running', worker = $3, attempts = attempts + 1, fence = fence + 1,
		started_at = coalesce(started_at, $4), heartbeat_at = $4`, worker, at, heldSince)
	if errors.Is(err, store.ErrFenced) {
		// updateJob found the record neither final nor matching: a live worker holds it.
		if cur, cerr := oneJob(ctx, s.pool, `id = $1`, id); cerr == nil && store.JobHeld(cur, at, heldFor) {
			return store.Job{}, fmt.Errorf("claim job %s: worker %s heartbeat at %s: %w", id, cur.Worker,
				cur.HeartbeatAt.Format(time.RFC3339Nano), store.ErrJobHeld)
		}
	}
	return j, err
}

// HeartbeatJob implements store.JobStore.
func (s *Store) HeartbeatJob(ctx context.Context, id string, fence int64, progress json.RawMessage, at time.Time) (store.Job, error) {
	progress, err := store.PrepareJobProgress(progress)
	if err != nil {
		return store.Job{}, fmt.Errorf("heartbeat job %s: %w", id, err)
	}
	var p *string
	if progress != nil {
		p = new(string(progress))
	}
	at = store.NormalizeTime(nowIfZero(at))
	return s.updateJob(ctx, "heartbeat", id, fence, `heartbeat_at = $3, progress = coalesce($4::jsonb, progress)`, at, p)
}

// ReleaseJob implements store.JobStore.
func (s *Store) ReleaseJob(ctx context.Context, id string, fence int64, uncount bool, lastErr string) (store.Job, error) {
	return s.updateJob(ctx, "release", id, fence, `status = 'queued', worker = '',
		attempts = CASE WHEN $3 AND attempts > 0 THEN attempts - 1 ELSE attempts END,
		error = CASE WHEN $4 = '' THEN error ELSE $4 END`, uncount, store.CutJobError(lastErr))
}

// FinishJob implements store.JobStore.
func (s *Store) FinishJob(ctx context.Context, id string, fence int64, out store.JobOutcome) (store.Job, error) {
	out, err := store.PrepareJobOutcome(out, time.Now())
	if err != nil {
		return store.Job{}, fmt.Errorf("finish job %s: %w", id, err)
	}
	return s.updateJob(ctx, "finish", id, fence, `status = $3, result = $4, error = $5, finished_at = $6`,
		string(out.Status), string(out.Result), out.Error, out.At)
}

// RequestJobCancel implements store.JobStore.
func (s *Store) RequestJobCancel(ctx context.Context, id string, at time.Time) (store.Job, error) {
	if err := s.check(); err != nil {
		return store.Job{}, fmt.Errorf("cancel job %s: %w", id, err)
	}
	at = store.NormalizeTime(nowIfZero(at))
	_, err := s.pool.Exec(ctx, `UPDATE jobs SET cancel_requested = true,
		status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
		finished_at = CASE WHEN status = 'queued' THEN $2 ELSE finished_at END
		WHERE id = $1 AND status IN ('queued', 'running')`, id, at)
	if err != nil {
		return store.Job{}, fmt.Errorf("cancel job %s: %w", id, err)
	}
	return s.Job(ctx, id)
}

// updateJob runs one conditional UPDATE of a job that is not finished:
// with fence >= 0 only while it is running under that fencing token; with
// fence < 0 (a claim) while it is queued, or running with no heartbeat
// after $5 (NULL: any). When no row changes, it reads the job to say why
// (ErrNotFound, ErrJobFinished or ErrFenced). $1 is the id and $2 the
// fence; set's own arguments start at $3.
func (s *Store) updateJob(ctx context.Context, op, id string, fence int64, set string, args ...any) (store.Job, error) {
	if err := s.check(); err != nil {
		return store.Job{}, fmt.Errorf("%s job %s: %w", op, id, err)
	}
	cond := `(status = 'queued' OR status = 'running' AND ($5::timestamptz IS NULL OR heartbeat_at IS NULL OR heartbeat_at <= $5))
		AND $2::bigint < 0`
	if fence >= 0 {
		cond = `status = 'running' AND fence = $2`
	}
	rows, err := s.pool.Query(ctx, `UPDATE jobs SET `+set+` WHERE id = $1 AND `+cond+` RETURNING `+jobColumns,
		append([]any{id, fence}, args...)...)
	if err != nil {
		return store.Job{}, fmt.Errorf("%s job %s: %w", op, id, err)
	}
	j, err := pgx.CollectExactlyOneRow(rows, scanJob)
	if err == nil {
		return j, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return store.Job{}, fmt.Errorf("%s job %s: %w", op, id, err)
	}
	cur, err := oneJob(ctx, s.pool, `id = $1`, id)
	switch {
	case err != nil:
	case fence >= 0 && cur.Fence != fence:
		err = fmt.Errorf("fence %d, current %d: %w", fence, cur.Fence, store.ErrFenced)
	case cur.Status.Final():
		err = store.ErrJobFinished
	default:
		err = fmt.Errorf("job is %s, not running: %w", cur.Status, store.ErrFenced)
	}
	return store.Job{}, fmt.Errorf("%s job %s: %w", op, id, err)
}

func oneJob(ctx context.Context, q querier, where string, arg any) (store.Job, error) {
	rows, err := q.Query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE `+where, arg)
	if err != nil {
		return store.Job{}, err
	}
	j, err := pgx.CollectExactlyOneRow(rows, scanJob)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Job{}, store.ErrNotFound
	}
	return j, err
}

func scanJob(row pgx.CollectableRow) (store.Job, error) {
	var j store.Job
	var key *string
	var status string
	var params, progress, result []byte
	var started, heartbeat, finished *time.Time
	if err := row.Scan(&j.ID, &j.Kind, &j.Cluster, &params, &j.RequestedBy, &key, &status, &progress, &result, &j.Error,
		&j.Attempts, &j.Fence, &j.Worker, &j.CancelRequested, &j.CreatedAt, &started, &heartbeat, &finished); err != nil {
		return j, err
	}
	if key != nil {
		j.IdempotencyKey = *key
	}
	j.Status = store.JobStatus(status)
	j.Parameters, j.Progress, j.Result = params, progress, result
	j.CreatedAt = j.CreatedAt.UTC()
	for _, p := range []struct {
		src *time.Time
		dst *time.Time
	}{{started, &j.StartedAt}, {heartbeat, &j.HeartbeatAt}, {finished, &j.FinishedAt}} {
		if p.src != nil {
			*p.dst = p.src.UTC()
		}
	}
	return j, nil
}

func nowIfZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}
