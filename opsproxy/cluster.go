package opsproxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// member is one cluster member. Ids are hexadecimal, as etcdctl shows them.
type member struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	PeerURLs   []string `json:"peer_urls"`
	ClientURLs []string `json:"client_urls"`
	IsLearner  bool     `json:"is_learner"`
}

func memberOf(m *etcdserverpb.Member) member {
	return member{ID: fmt.Sprintf("%x", m.ID), Name: m.Name, PeerURLs: m.PeerURLs, ClientURLs: m.ClientURLs, IsLearner: m.IsLearner}
}

func membersOf(ms []*etcdserverpb.Member) []member {
	out := make([]member, 0, len(ms))
	for _, m := range ms {
		out = append(out, memberOf(m))
	}
	return out
}

func (s *Server) listMembers(c *opCall) (any, error) {
	ctx, cancel := c.cluster.requestCtx(c.r.Context())
	defer cancel()
	resp, err := c.cli.MemberList(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{"header": headerOf(resp.Header), "members": membersOf(resp.Members)}, nil
}

// addMemberRequest is the body of POST /members: the new member joins as a learner.
type addMemberRequest struct {
	PeerURLs []string `json:"peer_urls"`
}

func (s *Server) addMember(c *opCall) (any, error) {
	var req addMemberRequest
	if err := decodeJSON(c.r, &req, 64<<10); err != nil {
		return nil, err
	}
	if len(req.PeerURLs) == 0 {
		return nil, errorf(http.StatusBadRequest, "peer_urls: must not be empty")
	}
	for i, u := range req.PeerURLs {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, errorf(http.StatusBadRequest, "peer_urls[%d]: want http(s)://host:port", i)
		}
	}
	c.rec.Key = []byte(req.PeerURLs[0])
	if err := c.commitIntent(); err != nil {
		return nil, err
	}
	ctx, cancel := c.cluster.requestCtx(c.r.Context())
	defer cancel()
	resp, err := c.cli.MemberAddAsLearner(ctx, req.PeerURLs)
	if err != nil {
		return nil, err
	}
	c.status = http.StatusCreated
	return map[string]any{"header": headerOf(resp.Header), "member": memberOf(resp.Member), "members": membersOf(resp.Members)}, nil
}

// memberID reads the {id} path value.
func memberID(c *opCall) (uint64, error) {
	raw := c.r.PathValue("id")
	c.rec.Key = []byte(raw)
	id, err := strconv.ParseUint(raw, 16, 64)
	if err != nil || id == 0 {
		return 0, errorf(http.StatusBadRequest, "member id %q: want a hexadecimal member id", raw)
	}
	return id, nil
}

func (s *Server) promoteMember(c *opCall) (any, error) {
	return changeMember(c, func(ctx context.Context, id uint64) (*etcdserverpb.ResponseHeader, []*etcdserverpb.Member, error) {
		resp, err := c.cli.MemberPromote(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		return resp.Header, resp.Members, nil
	})
}

func (s *Server) removeMember(c *opCall) (any, error) {
	return changeMember(c, func(ctx context.Context, id uint64) (*etcdserverpb.ResponseHeader, []*etcdserverpb.Member, error) {
		resp, err := c.cli.MemberRemove(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		return resp.Header, resp.Members, nil
	})
}

// changeMember runs a change to the member named in the path once its audit record is committed,
// and answers with the membership that results.
func changeMember(c *opCall, change func(context.Context, uint64) (*etcdserverpb.ResponseHeader, []*etcdserverpb.Member, error)) (any, error) {
	id, err := memberID(c)
	if err != nil {
		return nil, err
	}
	if err := c.commitIntent(); err != nil {
		return nil, err
	}
	ctx, cancel := c.cluster.requestCtx(c.r.Context())
	defer cancel()
	header, members, err := change(ctx, id)
	if err != nil {
		return nil, err
	}
	return map[string]any{"header": headerOf(header), "members": membersOf(members)}, nil
}

// endpointState is the health and status of one member, as seen from opsproxy.
type endpointState struct {
	Member   string          `json:"member"`
	ID       string          `json:"id"`
	Endpoint string          `json:"endpoint"`
	Healthy  bool            `json:"healthy"`
	Error    string          `json:"error,omitempty"`
	Status   *endpointStatus `json:"status,omitempty"`
}

type endpointStatus struct {
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

// memberStates checks every member concurrently: a linearizable read through a client to
// that member alone (as etcdctl endpoint health) and its status.
func (s *Server) memberStates(ctx context.Context, conn *clusterConn) ([]endpointState, error) {
	lctx, cancel := conn.requestCtx(ctx)
	defer cancel()
	cli, err := conn.client(lctx)
	if err != nil {
		return nil, err
	}
	list, err := cli.MemberList(lctx)
	cancel()
	if err != nil {
		return nil, err
	}
	out := make([]endpointState, len(list.Members))
	var wg sync.WaitGroup
	for i, m := range list.Members {
		out[i] = endpointState{Member: m.Name, ID: fmt.Sprintf("%x", m.ID)}
		if len(m.ClientURLs) == 0 {
			out[i].Error = "member has not started: no client URL"
			continue
		}
		out[i].Endpoint = m.ClientURLs[0]
		wg.Go(func() { s.checkEndpoint(ctx, conn, &out[i], m.IsLearner) })
	}
	wg.Wait()
	return out, nil
}

func (s *Server) checkEndpoint(ctx context.Context, conn *clusterConn, st *endpointState, learner bool) {
	ctx, cancel := conn.requestCtx(ctx)
	defer cancel()
	cli, err := conn.client(ctx)
	if err != nil {
		_, st.Error = statusOf(err)
		return
	}
	status, err := cli.Status(ctx, st.Endpoint)
	if err != nil {
		_, st.Error = statusOf(err)
		return
	}
	st.Status = &endpointStatus{
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
	mcli, err := conn.memberClient(st.Endpoint)
	if err != nil {
		_, st.Error = statusOf(err)
		return
	}
	defer mcli.Close()
	_, err = mcli.Get(ctx, "health")
	if err != nil && !errors.Is(err, rpctypes.ErrPermissionDenied) {
		_, st.Error = statusOf(err)
		return
	}
	st.Healthy = len(status.Errors) == 0
	if !st.Healthy {
		st.Error = fmt.Sprintf("member reports errors: %v", status.Errors)
	}
}

func (s *Server) endpointHealth(c *opCall) (any, error) {
	states, err := s.memberStates(c.r.Context(), c.cluster)
	if err != nil {
		return nil, err
	}
	healthy := 0
	for _, st := range states {
		if st.Healthy {
			healthy++
		}
	}
	return map[string]any{"endpoints": states, "healthy": healthy, "total": len(states)}, nil
}

type alarm struct {
	MemberID string `json:"member_id"`
	Alarm    string `json:"alarm"`
}

func alarmsOf(resp *clientv3.AlarmResponse) []alarm {
	out := []alarm{}
	for _, a := range resp.Alarms {
		out = append(out, alarm{MemberID: fmt.Sprintf("%x", a.MemberID), Alarm: a.Alarm.String()})
	}
	return out
}

func (s *Server) listAlarms(c *opCall) (any, error) {
	ctx, cancel := c.cluster.requestCtx(c.r.Context())
	defer cancel()
	resp, err := c.cli.AlarmList(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{"header": headerOf(resp.Header), "alarms": alarmsOf(resp)}, nil
}

// disarmAlarms disarms every alarm, or one member's (member_id) and/or one kind (alarm=NOSPACE,
// CORRUPT).
func (s *Server) disarmAlarms(c *opCall) (any, error) {
	q := c.r.URL.Query()
	m := &clientv3.AlarmMember{}
	if v := q.Get("member_id"); v != "" {
		id, err := strconv.ParseUint(v, 16, 64)
		if err != nil {
			return nil, errorf(http.StatusBadRequest, "member_id %q: want a hexadecimal member id", v)
		}
		m.MemberID = id
	}
	if v := q.Get("alarm"); v != "" {
		a, ok := etcdserverpb.AlarmType_value[v]
		if !ok || a == int32(etcdserverpb.AlarmType_NONE) {
			return nil, errorf(http.StatusBadRequest, "alarm %q: want NOSPACE or CORRUPT", v)
		}
		m.Alarm = etcdserverpb.AlarmType(a)
	}
	if err := c.commitIntent(); err != nil {
		return nil, err
	}
	ctx, cancel := c.cluster.requestCtx(c.r.Context())
	defer cancel()
	if m.MemberID != 0 && m.Alarm != etcdserverpb.AlarmType_NONE {
		resp, err := c.cli.AlarmDisarm(ctx, m)
		if err != nil {
			return nil, err
		}
		return map[string]any{"disarmed": alarmsOf(resp)}, nil
	}
	// Disarm each matching alarm, as etcdctl does for "all".
	list, err := c.cli.AlarmList(ctx)
	if err != nil {
		return nil, err
	}
	disarmed := []alarm{}
	for _, a := range list.Alarms {
		if (m.MemberID != 0 && a.MemberID != m.MemberID) || (m.Alarm != etcdserverpb.AlarmType_NONE && a.Alarm != m.Alarm) {
			continue
		}
		resp, err := c.cli.AlarmDisarm(ctx, &clientv3.AlarmMember{MemberID: a.MemberID, Alarm: a.Alarm})
		if err != nil {
			return nil, err
		}
		disarmed = append(disarmed, alarmsOf(resp)...)
	}
	return map[string]any{"disarmed": disarmed}, nil
}
