package jobsapi

import (
	"net/http"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// cancel asks for a job's end: a queued job is cancelled at once, a running one by its worker
// at its next heartbeat (the answer then says cancel_requested). It needs the role of the job's
// kind; a finished job answers 409.
func (s *api) cancel(c *core.Call) (any, error) {
	job, err := s.lookup(c)
	if err != nil {
		return nil, err
	}
	kind, ok := s.jobs.Kind(job.Kind)
	if !ok {
		kind = jobs.Kind{Name: job.Kind}
	}
	if err := requireKindRole(c.P, kind, "cancel"); err != nil {
		return nil, err
	}
	if job.Status.Final() {
		return nil, apihttp.Errorf(http.StatusConflict, "job %s already finished: %s", job.ID, job.Status)
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	job, err = s.Store.RequestJobCancel(c.R.Context(), job.ID, time.Now())
	if err != nil {
		return nil, apihttp.StoreError("job", err)
	}
	return job, nil
}
