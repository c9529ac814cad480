package jobsapi

import (
	"errors"
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// list answers a page of jobs, newest first, filtered by kind, cluster, status and user (the
// requester), of the clusters the token may use only.
func (s *api) list(c *core.Call) (any, error) {
	q := c.R.URL.Query()
	limit, err := apihttp.QueryInt(q, "limit", 1)
	if err != nil {
		return nil, err
	}
	f := store.JobFilter{Kind: q.Get("kind"), Cluster: q.Get("cluster"), Status: store.JobStatus(q.Get("status")),
		RequestedBy: q.Get("user"), Cursor: q.Get("cursor"), Limit: store.ClampJobLimit(int(min(limit, store.MaxJobLimit)))}
	c.Rec.Cluster = f.Cluster
	if f.Cluster != "" && !mayUseJobsOf(c.P, f.Cluster) {
		return nil, apihttp.Deniedf("token %s may not see the jobs of cluster %q", c.P.Token.ID, f.Cluster)
	}
	if len(c.P.Token.Clusters) > 0 {
		f.Clusters = c.P.Token.Clusters
	}
	switch f.Status {
	case "", store.JobQueued, store.JobRunning, store.JobSucceeded, store.JobFailed, store.JobCancelled:
	default:
		return nil, apihttp.Errorf(http.StatusBadRequest, "status: want queued, running, succeeded, failed or cancelled")
	}
	if _, _, err := store.ParseJobCursor(f.Cursor); err != nil {
		return nil, apihttp.Errorf(http.StatusBadRequest, "cursor: want the next value of an earlier page")
	}
	page, err := s.Store.ListJobs(c.R.Context(), f)
	if err != nil {
		return nil, apihttp.StoreError("jobs", err)
	}
	if page.Jobs == nil {
		page.Jobs = []store.Job{}
	}
	return page, nil
}

// get answers one job.
func (s *api) get(c *core.Call) (any, error) {
	return s.lookup(c)
}

// lookup reads the job of the {id} path value. A job of a cluster the token may not use is
// answered 404 like one that does not exist, so that its existence does not leak; the audit
// record names the cluster.
func (s *api) lookup(c *core.Call) (store.Job, error) {
	id := c.R.PathValue("id")
	c.Rec.Key = []byte(id)
	job, err := s.Store.Job(c.R.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Job{}, apihttp.Errorf(http.StatusNotFound, "no job %q", id)
	case err != nil:
		return store.Job{}, apihttp.StoreError("job", err)
	}
	c.Rec.Cluster = job.Cluster
	if !mayUseJobsOf(c.P, job.Cluster) {
		return store.Job{}, apihttp.Errorf(http.StatusNotFound, "no job %q", id)
	}
	return job, nil
}

// mayUseJobsOf reports whether the token's cluster scope covers the jobs of cluster; jobs of no
// cluster are for tokens not limited to clusters.
func mayUseJobsOf(p *core.Principal, cluster string) bool {
	if cluster == NoCluster {
		return len(p.Token.Clusters) == 0
	}
	return p.MayUseCluster(cluster)
}
