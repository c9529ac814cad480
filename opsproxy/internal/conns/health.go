package conns

import (
	"context"
	"errors"
	"fmt"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
)

// EndpointState is the health and status of one member, as seen from opsproxy.
type EndpointState struct {
	Member   string `json:"member"`
	ID       string `json:"id"`
	Endpoint string `json:"endpoint"`
	Healthy  bool   `json:"healthy"`
	Error    string `json:"error,omitempty"`
	// Reason is the kind of failure when the member could not be used: refused, tls, auth,
	// timeout, unreachable or other (see internal/etcdconn).
	Reason string `json:"reason,omitempty"`
	// Alarms are the active alarms that make the member unhealthy (NOSPACE, CORRUPT).
	Alarms []string        `json:"alarms,omitempty"`
	Status *EndpointStatus `json:"status,omitempty"`
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

// MemberStates checks every member concurrently, as CheckEndpoint does. The member list is read
// serializably, from whichever member answers, so that it is had without quorum too, exactly
// when per-member health matters; when no member answers, the configured endpoints are
// reported, each with its own error. It fails only when ctx ends or etcd refuses opsproxy's
// credentials.
func (c *Conn) MemberStates(ctx context.Context) ([]EndpointState, error) {
	lctx, cancel := c.RequestCtx(ctx)
	defer cancel()
	cli, err := c.Client(lctx)
	var list *clientv3.MemberListResponse
	if err == nil {
		list, err = cli.MemberList(lctx, clientv3.WithSerializable())
	}
	cancel()
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil && etcdconn.ReasonOf(err) == string(etcdconn.KindAuth):
		// etcd refused opsproxy's own credentials: no member is to blame.
		return nil, err
	case err != nil:
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
		wg.Go(func() { c.CheckEndpoint(ctx, &out[i]) })
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
			c.CheckEndpoint(ctx, &out[i])
			if out[i].Error == "" && !out[i].Healthy {
				out[i].Error = msg
			}
		})
	}
	wg.Wait()
	return out
}

// CheckEndpoint fills st with the status of the member at st.Endpoint and its health as
// etcdctl endpoint health defines it (etcdconn.CheckHealth: a linearizable read, no active
// alarm; a learner is unhealthy), through the client pinned to that member.
func (c *Conn) CheckEndpoint(ctx context.Context, st *EndpointState) {
	ctx, cancel := c.RequestCtx(ctx)
	defer cancel()
	m, err := c.Member(ctx, st.Endpoint)
	if err != nil {
		st.fail(err)
		return
	}
	var status *clientv3.StatusResponse
	err = m.Do(ctx, func(ctx context.Context) error {
		var err error
		status, err = m.Maintenance.Status(ctx, st.Endpoint)
		return err
	})
	if err != nil {
		st.fail(err)
		return
	}
	st.Status = &EndpointStatus{
		Version: status.Version, DBSize: status.DbSize, DBSizeInUse: status.DbSizeInUse,
		Leader: fmt.Sprintf("%x", status.Leader), IsLeader: status.Leader == status.Header.MemberId,
		IsLearner: status.IsLearner, RaftIndex: status.RaftIndex, RaftTerm: status.RaftTerm,
		RaftAppliedIndex: status.RaftAppliedIndex, Revision: status.Header.Revision, Errors: status.Errors,
	}
	h := etcdconn.CheckHealth(ctx, m, nil)
	st.Alarms = h.Alarms
	switch {
	case h.Err != nil:
		st.fail(h.Err)
	case len(status.Errors) > 0:
		st.Error = fmt.Sprintf("member reports errors: %v", status.Errors)
	default:
		st.Healthy = true
	}
}

// fail records why the member could not be used or is unhealthy.
func (st *EndpointState) fail(err error) {
	st.Reason = etcdconn.ReasonOf(err)
	if _, ok := errors.AsType[*apihttp.Error](err); ok {
		_, st.Error = apihttp.StatusOf(err)
		return
	}
	st.Error = err.Error()
}
