package jobs

import "github.com/etcd-monitor/etcd-monitor/internal/store"

// EventType says what happened to a job.
type EventType string

// Event types.
const (
	// EventStarted: a worker claimed the job and is about to run it.
	EventStarted EventType = "started"
	// EventFinished: the job's record was finished (succeeded, failed or cancelled).
	EventFinished EventType = "finished"
)

// Event is a change of a job's record made by a worker or the reconciler,
// reported to RunnerOptions.OnEvent (for the audit log and metrics).
type Event struct {
	Type EventType
	// Job is the record as written: claimed (Fence and Attempts of this
	// attempt) or finished (Status, Error and FinishedAt set).
	Job store.Job
}
