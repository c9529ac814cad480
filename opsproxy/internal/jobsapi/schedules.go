package jobsapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// maxScheduleBytes bounds the body of POST /schedules: a name, a kind, a cluster, a cron
// expression, a time zone and small parameters.
const maxScheduleBytes = 64 << 10

// scheduleRequest is the body of POST /schedules.
type scheduleRequest struct {
	Name       string          `json:"name"`
	Kind       string          `json:"kind"`
	Cluster    string          `json:"cluster"`
	Parameters json.RawMessage `json:"parameters"`
	Cron       string          `json:"cron"`
	Timezone   string          `json:"timezone"`
}

// createSchedule stores a schedule of a kind that acts on a cluster: 201 with the schedule.
// It needs the role of the kind and the cluster in the token's scope; a schedule of the same
// name on the cluster answers 409.
func (s *api) createSchedule(c *core.Call) (any, error) {
	var req scheduleRequest
	if err := apihttp.DecodeJSON(c.R, &req, maxScheduleBytes); err != nil {
		return nil, err
	}
	kind, err := s.kindOf(req.Kind)
	if err != nil {
		return nil, err
	}
	c.Rec.Cluster = req.Cluster
	if err := requireKindRole(c.P, kind, "schedule"); err != nil {
		return nil, err
	}
	switch {
	case !kind.Cluster:
		return nil, apihttp.Errorf(http.StatusBadRequest, "kind: a %s job acts on no cluster and cannot be scheduled", kind.Name)
	case req.Cluster == "":
		return nil, apihttp.Errorf(http.StatusBadRequest, "cluster: must not be empty")
	case !c.P.MayUseCluster(req.Cluster):
		return nil, apihttp.Deniedf("token %s may not act on cluster %q", c.P.Token.ID, req.Cluster)
	}
	if _, ok := s.State().Clusters[req.Cluster]; !ok {
		return nil, apihttp.Errorf(http.StatusNotFound, "cluster: no cluster %q", req.Cluster)
	}
	params, err := checkParameters(kind, req.Parameters)
	if err != nil {
		return nil, err
	}
	if kind.Admit != nil {
		// Refused now rather than at every slot: a schedule the kind would refuse (a benchmark
		// of a protected cluster without force) would only fire failing jobs.
		if err := kind.Admit(req.Cluster, params); err != nil {
			return nil, admitRefusal(err)
		}
	}
	want := store.Schedule{ID: store.NewID(), Name: req.Name, Kind: kind.Name, Cluster: req.Cluster, Parameters: params,
		Cron: req.Cron, Timezone: req.Timezone, CreatedBy: c.P.User}
	if want.Timezone == "" {
		want.Timezone = store.DefaultTimezone
	}
	if err := validateSchedule(s.jobs.Kinds, want); err != nil {
		return nil, err
	}
	c.Rec.Key = []byte(want.ID)
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	sc, err := s.Store.CreateSchedule(c.R.Context(), want)
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, apihttp.Errorf(http.StatusConflict, "name: cluster %q already has a schedule called %q", req.Cluster, req.Name)
	case err != nil:
		return nil, apihttp.StoreError("schedule", err)
	}
	c.Status = http.StatusCreated
	return sc, nil
}

// validateSchedule checks want with jobs.ValidateSchedule and the store's bounds; the error is
// a 400 naming the field.
func validateSchedule(kinds []jobs.Kind, want store.Schedule) error {
	err := jobs.ValidateSchedule(kinds, want)
	if err == nil {
		_, err = store.PrepareSchedule(want, time.Now())
	}
	if err == nil {
		return nil
	}
	msg := strings.TrimSuffix(err.Error(), ": "+store.ErrInvalid.Error())
	return apihttp.Errorf(http.StatusBadRequest, "%s", strings.TrimPrefix(msg, "schedule: "))
}

// listSchedules answers a page of schedules, newest first, filtered by cluster, kind and
// paused, of the clusters the token may use only.
func (s *api) listSchedules(c *core.Call) (any, error) {
	q := c.R.URL.Query()
	limit, err := apihttp.QueryInt(q, "limit", 1)
	if err != nil {
		return nil, err
	}
	f := store.ScheduleFilter{Cluster: q.Get("cluster"), Kind: q.Get("kind"), Cursor: q.Get("cursor"),
		Limit: store.ClampJobLimit(int(min(limit, store.MaxJobLimit)))}
	c.Rec.Cluster = f.Cluster
	if q.Has("paused") {
		paused, err := apihttp.QueryBool(q, "paused")
		if err != nil {
			return nil, err
		}
		f.Paused = &paused
	}
	if f.Cluster != "" && !c.P.MayUseCluster(f.Cluster) {
		return nil, apihttp.Deniedf("token %s may not see the schedules of cluster %q", c.P.Token.ID, f.Cluster)
	}
	if len(c.P.Token.Clusters) > 0 {
		f.Clusters = c.P.Token.Clusters
	}
	if _, _, err := store.ParseJobCursor(f.Cursor); err != nil {
		return nil, apihttp.Errorf(http.StatusBadRequest, "cursor: want the next value of an earlier page")
	}
	page, err := s.Store.ListSchedules(c.R.Context(), f)
	if err != nil {
		return nil, apihttp.StoreError("schedules", err)
	}
	if page.Schedules == nil {
		page.Schedules = []store.Schedule{}
	}
	return page, nil
}

// getSchedule answers one schedule.
func (s *api) getSchedule(c *core.Call) (any, error) {
	return s.lookupSchedule(c)
}

// pauseSchedule stops a schedule firing; resumeSchedule starts it again from now (the slots
// that passed while it was paused never fire). Both need the role of its kind.
func (s *api) pauseSchedule(c *core.Call) (any, error)  { return s.setPaused(c, true) }
func (s *api) resumeSchedule(c *core.Call) (any, error) { return s.setPaused(c, false) }

func (s *api) setPaused(c *core.Call, paused bool) (any, error) {
	sc, err := s.lookupSchedule(c)
	if err != nil {
		return nil, err
	}
	verb := "resume"
	if paused {
		verb = "pause"
	}
	if err := s.requireScheduleRole(c, sc, verb); err != nil {
		return nil, err
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	sc, err = s.Store.SetSchedulePaused(c.R.Context(), sc.ID, paused, time.Time{})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, apihttp.Errorf(http.StatusNotFound, "no schedule %q", c.R.PathValue("id"))
	case err != nil:
		return nil, apihttp.StoreError("schedule", err)
	}
	return sc, nil
}

// deleteSchedule removes a schedule; the jobs it fired stay. It needs the role of its kind.
func (s *api) deleteSchedule(c *core.Call) (any, error) {
	sc, err := s.lookupSchedule(c)
	if err != nil {
		return nil, err
	}
	if err := s.requireScheduleRole(c, sc, "delete"); err != nil {
		return nil, err
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	err = s.Store.DeleteSchedule(c.R.Context(), sc.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, apihttp.Errorf(http.StatusNotFound, "no schedule %q", sc.ID)
	case err != nil:
		return nil, apihttp.StoreError("schedule", err)
	}
	return map[string]string{"deleted": sc.ID}, nil
}

// requireScheduleRole refuses a principal below the role of the schedule's kind.
func (s *api) requireScheduleRole(c *core.Call, sc store.Schedule, verb string) error {
	kind, ok := s.jobs.Kind(sc.Kind)
	if !ok {
		kind = jobs.Kind{Name: sc.Kind}
	}
	return requireKindRole(c.P, kind, verb+" schedules of")
}

// lookupSchedule reads the schedule of the {id} path value. One of a cluster the token may
// not use is answered 404 like one that does not exist; the audit record names the cluster.
func (s *api) lookupSchedule(c *core.Call) (store.Schedule, error) {
	id := c.R.PathValue("id")
	c.Rec.Key = []byte(id)
	sc, err := s.Store.Schedule(c.R.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Schedule{}, apihttp.Errorf(http.StatusNotFound, "no schedule %q", id)
	case err != nil:
		return store.Schedule{}, apihttp.StoreError("schedule", err)
	}
	c.Rec.Cluster = sc.Cluster
	if !c.P.MayUseCluster(sc.Cluster) {
		return store.Schedule{}, apihttp.Errorf(http.StatusNotFound, "no schedule %q", id)
	}
	return sc, nil
}
