package conns

import (
	"context"
	"errors"
	"fmt"
	"sync"

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
// that member alone (as etcdctl endpoint health) and its status.
func (c *Conn) MemberStates(ctx context.Context) ([]EndpointState, error) {
	lctx, cancel := c.RequestCtx(ctx)
	defer cancel()
	cli, err := c.Client(lctx)
	if err != nil {
		return nil, err
	}
	list, err := cli.MemberList(lctx)
	cancel()
	if err != nil {
		return nil, err
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
