package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// JobStore keeps the records of jobs: long operations run by workers. The
// queue carries only job ids; the record is the truth about a job.
//
// A worker claims a job before running it. Each claim returns a new fencing
// token (Job.Fence, increasing per job); heartbeats, releases and the
// finish are accepted only with the current token, so a worker that lost
// its lease and was replaced cannot overwrite what its successor writes.
type JobStore interface {
	// CreateJob stores a new queued job and returns it with created true.
	// When j.IdempotencyKey is set and a job with that key exists, it returns
	// that job unchanged with created false (ErrConflict when its kind or
	// cluster differ from j's).
	CreateJob(ctx context.Context, j Job) (job Job, created bool, err error)
	// CreateJobs stores several new jobs with one commit for all (more
	// only when jobs of js share a key or an id), each as CreateJob would in
	// the order given: a job whose idempotency key an earlier one in js took
	// gets that job. Each job has its own outcome, so one job's ErrConflict
	// or ErrInvalid does not stop the others. err is for the whole batch
	// (then nothing is stored); a failure after some jobs were stored is
	// instead the Err of each job it left unstored.
	CreateJobs(ctx context.Context, js []Job) (out []JobCreation, err error)
	// Job returns the job with the given id.
	Job(ctx context.Context, id string) (Job, error)
	// ListJobs returns a page of jobs matching f, newest first.
	ListJobs(ctx context.Context, f JobFilter) (JobPage, error)
	// ClaimJob marks a queued or running job running by worker, counts an
	// attempt and gives it a new fencing token. It returns ErrJobFinished
	// when the job is finished, and ErrJobHeld when heldFor > 0 and the job
	// is running with a heartbeat newer than at - heldFor: its worker is
	// alive, and the claimant holds a second delivery of it (replicas with
	// a queue each enqueue the same scheduled job) or its lease expired
	// before the record's heartbeat did.
	ClaimJob(ctx context.Context, id, worker string, at time.Time, heldFor time.Duration) (Job, error)
	// HeartbeatJob records that the holder of fence is alive, with its
	// progress when not empty. The returned job says whether a cancel was
	// requested. A stale fence gets ErrFenced.
	HeartbeatJob(ctx context.Context, id string, fence int64, progress json.RawMessage, at time.Time) (Job, error)
	// ReleaseJob hands a running job back to the queue (status queued), as
	// the holder of fence; with uncount the attempt of the claim is not
	// counted (a graceful shutdown). lastErr, when set, is kept as the error.
	ReleaseJob(ctx context.Context, id string, fence int64, uncount bool, lastErr string) (Job, error)
	// FinishJob ends the job as the holder of fence with a final status,
	// result and error. A stale fence gets ErrFenced, a finished job
	// ErrJobFinished; neither changes anything.
	FinishJob(ctx context.Context, id string, fence int64, out JobOutcome) (Job, error)
	// RequestJobCancel sets the job's cancel flag. A queued job is finished
	// at once as cancelled; a running one is cancelled by its worker, which
	// sees the flag on its next heartbeat. Cancelling a finished job changes
	// nothing.
	RequestJobCancel(ctx context.Context, id string, at time.Time) (Job, error)
}

// JobCreation is the outcome of one job of CreateJobs: what CreateJob
// would have returned for it.
type JobCreation struct {
	Job     Job
	Created bool
	Err     error
}

// Job errors, to be tested with errors.Is.
var (
	// ErrFenced: the fencing token is not the job's current one.
	ErrFenced = errors.New("stale fencing token")
	// ErrJobFinished: the job has already finished.
	ErrJobFinished = errors.New("job already finished")
	// ErrJobHeld: a live worker runs the job (see ClaimJob).
	ErrJobHeld = errors.New("job held by a live worker")
)

// JobStatus is where a job is in its life.
type JobStatus string

// Job statuses. Succeeded, failed and cancelled are final.
const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
	JobCancelled JobStatus = "cancelled"
)

// Final reports whether s is a final status.
func (s JobStatus) Final() bool {
	return s == JobSucceeded || s == JobFailed || s == JobCancelled
}

func (s JobStatus) valid() bool { return s == JobQueued || s == JobRunning || s.Final() }

// Job is the record of one job. Parameters, Progress and Result are JSON
// objects owned by the job's kind.
type Job struct {
	ID              string          `json:"id"`
	Kind            string          `json:"kind"`
	Cluster         string          `json:"cluster"`
	Parameters      json.RawMessage `json:"parameters"`
	RequestedBy     string          `json:"requested_by"`
	IdempotencyKey  string          `json:"idempotency_key,omitempty"`
	Status          JobStatus       `json:"status"`
	Progress        json.RawMessage `json:"progress"`
	Result          json.RawMessage `json:"result"`
	Error           string          `json:"error,omitempty"`
	Attempts        int             `json:"attempts"`
	Fence           int64           `json:"fence"`
	Worker          string          `json:"worker,omitempty"`
	CancelRequested bool            `json:"cancel_requested,omitempty"`
	CreatedAt       time.Time       `json:"created_at"`
	StartedAt       time.Time       `json:"started_at,omitzero"`   // first claim
	HeartbeatAt     time.Time       `json:"heartbeat_at,omitzero"` // last claim or heartbeat
	FinishedAt      time.Time       `json:"finished_at,omitzero"`
}

// JobOutcome is how a job ended.
type JobOutcome struct {
	Status JobStatus       // succeeded, failed or cancelled
	Result json.RawMessage // a JSON object, or empty
	Error  string
	At     time.Time // zero: now
}

// JobFilter selects jobs. Zero fields do not filter.
type JobFilter struct {
	Kind    string
	Cluster string
	// Clusters, when not empty, keeps the jobs of these clusters only (a
	// token limited to clusters), besides Cluster.
	Clusters    []string
	Status      JobStatus
	RequestedBy string
	// Cursor is JobPage.Next of the previous page.
	Cursor string
	// Limit caps the page: 0 means DefaultJobLimit, at most MaxJobLimit.
	Limit int
}

// JobPage is one page of ListJobs. Next is empty on the last page.
type JobPage struct {
	Jobs []Job  `json:"jobs"`
	Next string `json:"next,omitempty"`
}

// Job list limits.
const (
	DefaultJobLimit = 100
	MaxJobLimit     = 1000
	// MaxJobErrorLen bounds the error text kept in a record.
	MaxJobErrorLen = 4096
)

// PrepareJob validates a new job and fills in its id, status and times.
// Backends call it in CreateJob.
func PrepareJob(j Job, now time.Time) (Job, error) {
	if j.ID == "" {
		j.ID = NewID()
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = now
	}
	j.CreatedAt = NormalizeTime(j.CreatedAt)
	j.Status, j.Attempts, j.Fence, j.Worker, j.CancelRequested = JobQueued, 0, 0, "", false
	j.StartedAt, j.HeartbeatAt, j.FinishedAt, j.Error = time.Time{}, time.Time{}, time.Time{}, ""
	j.Progress, j.Result = json.RawMessage(`{}`), json.RawMessage(`{}`)
	var err error
	if j.Parameters, err = jsonObject(j.Parameters); err != nil {
		return j, fmt.Errorf("job %s: parameters: %w", j.ID, err)
	}
	if j.Kind == "" || j.Cluster == "" {
		return j, fmt.Errorf("job %s: kind and cluster are required: %w", j.ID, ErrInvalid)
	}
	if len(j.IdempotencyKey) > MaxAuditTextLen {
		return j, fmt.Errorf("job %s: idempotency key is over %d bytes: %w", j.ID, MaxAuditTextLen, ErrInvalid)
	}
	return j, checkJobText(j)
}

// CheckIdempotentJob reports whether existing, found by j's idempotency
// key, may stand for j.
func CheckIdempotentJob(existing, j Job) error {
	if existing.Kind != j.Kind || existing.Cluster != j.Cluster {
		return fmt.Errorf("idempotency key %q belongs to a %s job of cluster %s: %w",
			j.IdempotencyKey, existing.Kind, existing.Cluster, ErrConflict)
	}
	return nil
}

// PrepareJobProgress checks a heartbeat's progress (empty stays empty:
// keep the previous progress).
func PrepareJobProgress(p json.RawMessage) (json.RawMessage, error) {
	if len(p) == 0 {
		return nil, nil
	}
	return jsonObject(p)
}

// PrepareJobOutcome validates o and normalises it.
func PrepareJobOutcome(o JobOutcome, now time.Time) (JobOutcome, error) {
	if !o.Status.Final() {
		return o, fmt.Errorf("job outcome: status %q is not final: %w", o.Status, ErrInvalid)
	}
	if o.At.IsZero() {
		o.At = now
	}
	o.At = NormalizeTime(o.At)
	o.Error = CutJobError(o.Error)
	var err error
	if o.Result, err = jsonObject(o.Result); err != nil {
		return o, fmt.Errorf("job outcome: result: %w", err)
	}
	return o, nil
}

// CutJobError bounds an error text kept in a job record.
func CutJobError(s string) string { return cutText(cleanText(s), MaxJobErrorLen) }

// ClampJobLimit applies DefaultJobLimit and MaxJobLimit.
func ClampJobLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultJobLimit
	case n > MaxJobLimit:
		return MaxJobLimit
	}
	return n
}

// JobCursor is the position after which a page starts: jobs are ordered by
// CreatedAt then ID, both descending.
type JobCursor struct {
	CreatedAt time.Time
	ID        string
}

// Encode returns the cursor as JobPage.Next.
func (c JobCursor) Encode() string {
	return strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + "." + c.ID
}

// Before reports whether j comes after the cursor in list order.
func (c JobCursor) Before(j Job) bool {
	if !j.CreatedAt.Equal(c.CreatedAt) {
		return j.CreatedAt.Before(c.CreatedAt)
	}
	return j.ID < c.ID
}

// ParseJobCursor parses JobFilter.Cursor (ok false when empty).
func ParseJobCursor(s string) (c JobCursor, ok bool, err error) {
	if s == "" {
		return c, false, nil
	}
	us, id, found := strings.Cut(s, ".")
	n, perr := strconv.ParseInt(us, 10, 64)
	if !found || perr != nil || id == "" {
		return c, false, fmt.Errorf("job cursor %q: %w", s, ErrInvalid)
	}
	return JobCursor{CreatedAt: time.UnixMicro(n).UTC(), ID: id}, true, nil
}

// Match reports whether j passes f's field filters (not the cursor).
func (f JobFilter) Match(j Job) bool {
	return (f.Kind == "" || j.Kind == f.Kind) && (f.Cluster == "" || j.Cluster == f.Cluster) &&
		(len(f.Clusters) == 0 || slices.Contains(f.Clusters, j.Cluster)) &&
		(f.Status == "" || j.Status == f.Status) && (f.RequestedBy == "" || j.RequestedBy == f.RequestedBy)
}

// CheckJobFilter validates f.
func CheckJobFilter(f JobFilter) error {
	if f.Status != "" && !f.Status.valid() {
		return fmt.Errorf("job filter: unknown status %q: %w", f.Status, ErrInvalid)
	}
	_, _, err := ParseJobCursor(f.Cursor)
	return err
}

// JobHeld reports whether j is running with a heartbeat newer than
// at - heldFor, so that ClaimJob refuses it with ErrJobHeld. heldFor <= 0
// holds nothing.
func JobHeld(j Job, at time.Time, heldFor time.Duration) bool {
	return heldFor > 0 && j.Status == JobRunning && j.HeartbeatAt.After(at.Add(-heldFor))
}
