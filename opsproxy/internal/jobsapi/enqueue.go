package jobsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// maxEnqueueBytes bounds the body of POST /jobs: a kind, a cluster, a key and small parameters.
const maxEnqueueBytes = 64 << 10

// maxIdempotencyKey bounds an idempotency key, as the store does.
const maxIdempotencyKey = store.MaxAuditTextLen

// NoCluster is the cluster recorded for a job of a kind that acts on no cluster; such jobs are
// seen only by tokens not limited to clusters.
const NoCluster = "*"

// enqueueRequest is the body of POST /jobs.
type enqueueRequest struct {
	Kind           string          `json:"kind"`
	Cluster        string          `json:"cluster"`
	Parameters     json.RawMessage `json:"parameters"`
	IdempotencyKey string          `json:"idempotency_key"`
}

// enqueue creates a job and puts it on the queue: 202 with the job, or 200 with the job an
// earlier request with the same idempotency key created. The attempt is audited before the
// job is created, its outcome with the job id as the key.
func (s *api) enqueue(c *core.Call) (any, error) {
	var req enqueueRequest
	if err := apihttp.DecodeJSON(c.R, &req, maxEnqueueBytes); err != nil {
		return nil, err
	}
	kind, err := s.kindOf(req.Kind)
	if err != nil {
		return nil, err
	}
	c.Rec.Cluster = req.Cluster
	if err := requireKindRole(c.P, kind, "enqueue"); err != nil {
		return nil, err
	}
	switch {
	case kind.Cluster && req.Cluster == "":
		return nil, apihttp.Errorf(http.StatusBadRequest, "cluster: must not be empty for a %s job", kind.Name)
	case kind.Cluster && !c.P.MayUseCluster(req.Cluster):
		return nil, apihttp.Deniedf("token %s may not act on cluster %q", c.P.Token.ID, req.Cluster)
	case kind.Cluster:
		if _, ok := s.State().Clusters[req.Cluster]; !ok {
			return nil, apihttp.Errorf(http.StatusNotFound, "cluster: no cluster %q", req.Cluster)
		}
	case req.Cluster != "":
		return nil, apihttp.Errorf(http.StatusBadRequest, "cluster: a %s job acts on no cluster", kind.Name)
	default:
		req.Cluster = NoCluster
		c.Rec.Cluster = NoCluster
	}
	params, err := checkParameters(kind, req.Parameters)
	if err != nil {
		return nil, err
	}
	if kind.Admit != nil {
		if err := kind.Admit(req.Cluster, params); err != nil {
			return nil, admitRefusal(err)
		}
	}
	if len(req.IdempotencyKey) > maxIdempotencyKey {
		return nil, apihttp.Errorf(http.StatusBadRequest, "idempotency_key: longer than %d bytes", maxIdempotencyKey)
	}
	if strings.IndexByte(req.IdempotencyKey, 0) >= 0 {
		// The store refuses it too; PostgreSQL's text cannot hold it.
		return nil, apihttp.Errorf(http.StatusBadRequest, "idempotency_key: must not contain NUL characters")
	}
	want := store.Job{ID: store.NewID(), Kind: kind.Name, Cluster: req.Cluster, Parameters: params,
		RequestedBy: c.P.User, IdempotencyKey: req.IdempotencyKey}
	// The attempt names the id the job gets unless the idempotency key finds an earlier one;
	// the outcome names the job answered.
	c.Rec.Key = []byte(want.ID)
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	// Once the attempt is committed the enqueue is carried through even if the client goes
	// away: waiting for a batch, a record could otherwise be created and answered "failed",
	// and then be run by the reconciler. The writer's commit timeout and the queue client's
	// own timeouts bound the wait.
	job, err := jobs.Submit(context.WithoutCancel(c.R.Context()), s.jobs.Records, s.jobs.Queue, want)
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, apihttp.Wrap(http.StatusConflict, "idempotency_key: already used for a job of another kind or cluster", err)
	case err != nil && job.ID == "":
		return nil, apihttp.StoreError("job", err)
	}
	c.Rec.Key = []byte(job.ID)
	created := job.ID == want.ID
	if !created && (job.RequestedBy != want.RequestedBy || !sameJSON(job.Parameters, params)) {
		return nil, apihttp.Errorf(http.StatusConflict, "idempotency_key: already used for job %s with other parameters or by another user", job.ID)
	}
	if err != nil {
		// The record is kept queued; the reconciler enqueues it once the queue is back.
		return nil, apihttp.Wrap(http.StatusServiceUnavailable, "queue "+s.jobs.Queue.Name()+" unavailable: job "+job.ID+
			" is recorded and will be enqueued when the queue is back (send the same idempotency_key again to see it)", err)
	}
	c.Status = http.StatusOK
	if created {
		s.jobs.Metrics.Enqueued(kind.Name)
		c.Status = http.StatusAccepted
	}
	return job, nil
}

// kindOf returns the registered kind called name; the error names the field.
func (s *api) kindOf(name string) (jobs.Kind, error) {
	if name == "" {
		return jobs.Kind{}, apihttp.Errorf(http.StatusBadRequest, "kind: must not be empty")
	}
	if k, ok := s.jobs.Kind(name); ok {
		return k, nil
	}
	known := make([]string, 0, len(s.jobs.Kinds))
	for _, k := range s.jobs.Kinds {
		known = append(known, k.Name)
	}
	slices.Sort(known)
	return jobs.Kind{}, apihttp.Errorf(http.StatusBadRequest, "kind: unknown job kind %q (known: %s)", name, strings.Join(known, ", "))
}

// requireKindRole refuses a principal below the kind's role; a kind this process does not
// know (a record of a kind since removed) needs admin.
func requireKindRole(p *core.Principal, kind jobs.Kind, verb string) error {
	role, err := core.ParseRole(kind.Role)
	if err != nil {
		role = core.RoleAdmin
	}
	return p.RequireRole(role, verb+" "+kind.Name+" jobs")
}

// checkParameters returns the parameters as a JSON object ({} when absent), checked by the
// kind.
func checkParameters(kind jobs.Kind, raw json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		raw = json.RawMessage(`{}`)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, apihttp.Errorf(http.StatusBadRequest, "parameters: want a JSON object")
	}
	if kind.Validate != nil {
		if err := kind.Validate(raw); err != nil {
			return nil, apihttp.Errorf(http.StatusBadRequest, "parameters: %v", err)
		}
	}
	return raw, nil
}

// sameJSON reports whether two JSON objects hold the same members.
func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ra, _ := json.Marshal(x)
	rb, _ := json.Marshal(y)
	return bytes.Equal(ra, rb)
}
