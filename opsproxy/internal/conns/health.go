package conns

import (
	"context"
	"errors"
	"fmt"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
)

// EndpointState is the health and status of one member, as seen from opsproxy.
type EndpointState struct {
	Member   string          `json:"member"`
	ID       string          `json:"id"`
	Endpoint string          `json:"endpoint"`
	Healthy  bool            `json:"healthy"`
	Error    string          `json:"error,omitempty"`
	Status   *EndpointStatus `json:"status,omitempty"`
}

// EndpointStatus is what a member says of itself (etcdctl endpoint status).
type EndpointStatus struct {
	Version          string   `json:"version"`
	DBSize           int64    `json:"db_size"`
	DBSizeInUse      int64    `json:"db_size_in_use"`
	Leader           string   `json:"leader"`
	IsLeader         bool     `json:"is_leader"`
	IsLearner        bool     `json:"is_learner"`
	RaftIndex        uint64   `json:"raft_index"`
	RaftTerm         uint64   `json:"raft_term"`
	RaftAppliedIndex uint64   `json:"raft_applied_index"`
	Revision         int64    `json:"revision"`
	Errors           []string `json:"errors,omitempty"`
}

// MemberStates checks every member concurrently: a linearizable read through a client to
// that member alone (as etcdctl endpoint health) and its status. The member list is read
// serializably, from whichever member answers, so that it is had without quorum too, exactly
// when per-member health matters; when no member answers, the configured endpoints are
// reported, each with its own error. It fails only when ctx ends.
func (c *Conn) MemberStates(ctx context.Context) ([]EndpointState, error) {
	lctx, cancel := c.RequestCtx(ctx)
	defer cancel()
	cli, err := c.Client(lctx)
	var list *clientv3.MemberListResponse
	if err == nil {
		list, err = cli.MemberList(lctx, clientv3.WithSerializable())
	}
	cancel()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return c.configuredEndpointStates(ctx, err), nil
	}
	out := make([]EndpointState, len(list.Members))
	var wg sync.WaitGroup
	for i, m := range list.Members {
		out[i] = EndpointState{Member: m.Name, ID: fmt.Sprintf("%x", m.ID)}
		if len(m.ClientURLs) == 0 {
			out[i].Error = "member has not started: no client URL"
			continue
		}
		out[i].Endpoint = m.ClientURLs[0]
		wg.Go(func() { c.CheckEndpoint(ctx, &out[i], m.IsLearner) })
	}
	wg.Wait()
	return out, nil
}

// configuredEndpointStates reports the configured endpoints when no member gave the member
// list: each is checked on its own (a member may answer its status while the list failed),
// and one that cannot be reached carries listErr's message.
func (c *Conn) configuredEndpointStates(ctx context.Context, listErr error) []EndpointState {
	_, msg := apihttp.StatusOf(listErr)
	out := make([]EndpointState, len(c.cfg.Endpoints))
	var wg sync.WaitGroup
	for i, ep := range c.cfg.Endpoints {
		out[i] = EndpointState{Endpoint: ep}
		wg.Go(func() {
			c.CheckEndpoint(ctx, &out[i], false)
			if out[i].Error == "" && !out[i].Healthy {
				out[i].Error = msg
			}
		})
	}
	wg.Wait()
	return out
}

// CheckEndpoint fills st with the health and status of the member at st.Endpoint (a learner
// when learner is set), as etcdctl endpoint health does.
func (c *Conn) CheckEndpoint(ctx context.Context, st *EndpointState, learner bool) {
	ctx, cancel := c.RequestCtx(ctx)
	defer cancel()
	cli, err := c.Client(ctx)
	if err != nil {
		_, st.Error = apihttp.StatusOf(err)
		return
	}
	status, err := cli.Status(ctx, st.Endpoint)
	if err != nil {
		_, st.Error = apihttp.StatusOf(err)
		return
	}
	st.Status = &EndpointStatus{
		Version: status.Version, DBSize: status.DbSize, DBSizeInUse: status.DbSizeInUse,
		Leader: fmt.Sprintf("%x", status.Leader), IsLeader: status.Leader == status.Header.MemberId,
		IsLearner: status.IsLearner, RaftIndex: status.RaftIndex, RaftTerm: status.RaftTerm,
		RaftAppliedIndex: status.RaftAppliedIndex, Revision: status.Header.Revision, Errors: status.Errors,
	}
	if learner {
		// Learners serve no linearizable reads; a learner that answers its status is healthy.
		st.Healthy = len(status.Errors) == 0
		return
	}
	mcli, err := c.MemberClient(st.Endpoint)
	if err != nil {
		_, st.Error = apihttp.StatusOf(err)
		return
	}
	defer mcli.Close()
	_, err = mcli.Get(ctx, "health")
	if err != nil && !errors.Is(err, rpctypes.ErrPermissionDenied) {
		_, st.Error = apihttp.StatusOf(err)
		return
	}
	st.Healthy = len(status.Errors) == 0
	if !st.Healthy {
		st.Error = fmt.Sprintf("member reports errors: %v", status.Errors)
	}
}
