package jobsapi

import (
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobqueue"
)

// api serves the jobs area.
type api struct {
	*core.Core
	jobs    *jobqueue.Runtime
	streams *streamLimiter
}

// Register adds the jobs routes to co. Each route needs a viewer; enqueue and cancel then
// need the role of the job's kind.
func Register(co *core.Core, rt *jobqueue.Runtime) {
	s := &api{Core: co, jobs: rt, streams: newStreamLimiter(func() int { return co.Config().Limits.MaxWatchesPerUser })}
	co.Handle("POST /api/v1/jobs", core.OpSpec{Name: "jobs.enqueue", Role: core.RoleViewer, Mutating: true}, s.enqueue)
	co.Handle("GET /api/v1/jobs", core.OpSpec{Name: "jobs.list", Role: core.RoleViewer}, s.list)
	co.Handle("GET /api/v1/jobs/{id}", core.OpSpec{Name: "jobs.get", Role: core.RoleViewer}, s.get)
	co.Handle("DELETE /api/v1/jobs/{id}", core.OpSpec{Name: "jobs.cancel", Role: core.RoleViewer, Mutating: true}, s.cancel)
	co.Handle("GET /api/v1/jobs/{id}/events", core.OpSpec{Name: "jobs.events", Role: core.RoleViewer}, s.events)
}
