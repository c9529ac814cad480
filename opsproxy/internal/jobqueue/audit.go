package jobqueue

import (
	"context"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
)

// RunOperation is the audit operation of a job's run: an "attempted" record when a worker
// starts it (one per attempt), then one with its outcome, each with the job id as the key and
// the requester as the user; a cancelled job's outcome is "failed" with the error "cancelled on
// request".
const RunOperation = "jobs.run"

// recordEvent writes the audit record of a job's start or outcome. It goes through the same
// auditor (and so the same hash chain) as the API's records; a record that cannot be committed
// is kept in the auditor's spool or logged by it.
func recordEvent(audit *auditlog.Auditor, kinds []jobs.Kind, e jobs.Event) {
	if audit == nil {
		return
	}
	j := e.Job
	rec := store.AuditRecord{
		Time:      time.Now(),
		RequestID: "job-" + j.ID,
		User:      j.RequestedBy,
		Role:      roleOf(kinds, j.Kind),
		Source:    "worker " + j.Worker,
		Cluster:   j.Cluster,
		Operation: RunOperation,
		Key:       []byte(j.ID),
		Outcome:   store.OutcomeAttempted,
	}
	if e.Type == jobs.EventFinished {
		rec.Outcome, rec.Error = store.OutcomeSucceeded, j.Error
		if j.Status != store.JobSucceeded {
			rec.Outcome = store.OutcomeFailed
		}
		if !j.StartedAt.IsZero() && !j.FinishedAt.IsZero() {
			rec.Duration = j.FinishedAt.Sub(j.StartedAt)
		}
	}
	_ = audit.AppendOrSpool(context.Background(), rec)
}

func roleOf(kinds []jobs.Kind, name string) string {
	for _, k := range kinds {
		if k.Name == name {
			return k.Role
		}
	}
	return ""
}
