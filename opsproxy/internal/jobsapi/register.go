package jobsapi

import (
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobqueue"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/usercap"
)

// api serves the jobs area.
type api struct {
	*core.Core
	jobs    *jobqueue.Runtime
	streams *streamLimiter
}

// Register adds the jobs and schedules routes to co; streams counts each user's open job
// event streams. Each route needs a viewer; enqueue,
// cancel and every change of a schedule then need the role of the job's kind.
func Register(co *core.Core, rt *jobqueue.Runtime, streams *usercap.Counter) {
	s := &api{Core: co, jobs: rt, streams: &streamLimiter{limit: func() int { return co.Config().Limits.MaxWatchesPerUser }, users: streams}}
	co.Handle("POST /api/v1/jobs", core.OpSpec{Name: "jobs.enqueue", Role: core.RoleViewer, Mutating: true}, s.enqueue)
	co.Handle("GET /api/v1/jobs", core.OpSpec{Name: "jobs.list", Role: core.RoleViewer}, s.list)
	co.Handle("GET /api/v1/jobs/{id}", core.OpSpec{Name: "jobs.get", Role: core.RoleViewer}, s.get)
	co.Handle("DELETE /api/v1/jobs/{id}", core.OpSpec{Name: "jobs.cancel", Role: core.RoleViewer, Mutating: true}, s.cancel)
	co.Handle("GET /api/v1/jobs/{id}/events", core.OpSpec{Name: "jobs.events", Role: core.RoleViewer}, s.events)
	co.Handle("POST /api/v1/schedules", core.OpSpec{Name: "jobs.schedule.create", Role: core.RoleViewer, Mutating: true}, s.createSchedule)
	co.Handle("GET /api/v1/schedules", core.OpSpec{Name: "jobs.schedule.list", Role: core.RoleViewer}, s.listSchedules)
	co.Handle("GET /api/v1/schedules/{id}", core.OpSpec{Name: "jobs.schedule.get", Role: core.RoleViewer}, s.getSchedule)
	co.Handle("POST /api/v1/schedules/{id}/pause", core.OpSpec{Name: "jobs.schedule.pause", Role: core.RoleViewer, Mutating: true}, s.pauseSchedule)
	co.Handle("POST /api/v1/schedules/{id}/resume", core.OpSpec{Name: "jobs.schedule.resume", Role: core.RoleViewer, Mutating: true}, s.resumeSchedule)
	co.Handle("DELETE /api/v1/schedules/{id}", core.OpSpec{Name: "jobs.schedule.delete", Role: core.RoleViewer, Mutating: true}, s.deleteSchedule)
}
