package cluster

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Member is one cluster member. Ids are hexadecimal, as etcdctl shows them.
type Member struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	PeerURLs   []string `json:"peer_urls"`
	ClientURLs []string `json:"client_urls"`
	IsLearner  bool     `json:"is_learner"`
}

func memberOf(m *etcdserverpb.Member) Member {
	return Member{ID: fmt.Sprintf("%x", m.ID), Name: m.Name, PeerURLs: m.PeerURLs, ClientURLs: m.ClientURLs, IsLearner: m.IsLearner}
}

func membersOf(ms []*etcdserverpb.Member) []Member {
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		out = append(out, memberOf(m))
	}
	return out
}

func (s *api) listMembers(c *core.Call) (any, error) {
	ctx, cancel := c.Cluster.RequestCtx(c.R.Context())
	defer cancel()
	resp, err := c.Cli.MemberList(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{"header": apihttp.HeaderOf(resp.Header), "members": membersOf(resp.Members)}, nil
}

// addMemberRequest is the body of POST /members: the new member joins as a learner.
type addMemberRequest struct {
	PeerURLs []string `json:"peer_urls"`
}

func (s *api) addMember(c *core.Call) (any, error) {
	var req addMemberRequest
	if err := apihttp.DecodeJSON(c.R, &req, 64<<10); err != nil {
		return nil, err
	}
	if len(req.PeerURLs) == 0 {
		return nil, apihttp.Errorf(http.StatusBadRequest, "peer_urls: must not be empty")
	}
	for i, u := range req.PeerURLs {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, apihttp.Errorf(http.StatusBadRequest, "peer_urls[%d]: want http(s)://host:port", i)
		}
	}
	c.Rec.Key = []byte(req.PeerURLs[0])
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	ctx, cancel := c.Cluster.RequestCtx(c.R.Context())
	defer cancel()
	resp, err := c.Cli.MemberAddAsLearner(ctx, req.PeerURLs)
	if err != nil {
		return nil, err
	}
	c.Status = http.StatusCreated
	return map[string]any{"header": apihttp.HeaderOf(resp.Header), "member": memberOf(resp.Member), "members": membersOf(resp.Members)}, nil
}

// memberID reads the {id} path value.
func memberID(c *core.Call) (uint64, error) {
	raw := c.R.PathValue("id")
	c.Rec.Key = []byte(raw)
	id, err := strconv.ParseUint(raw, 16, 64)
	if err != nil || id == 0 {
		return 0, apihttp.Errorf(http.StatusBadRequest, "member id %q: want a hexadecimal member id", raw)
	}
	return id, nil
}

func (s *api) promoteMember(c *core.Call) (any, error) {
	return changeMember(c, func(ctx context.Context, id uint64) (*etcdserverpb.ResponseHeader, []*etcdserverpb.Member, error) {
		resp, err := c.Cli.MemberPromote(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		return resp.Header, resp.Members, nil
	})
}

func (s *api) removeMember(c *core.Call) (any, error) {
	return changeMember(c, func(ctx context.Context, id uint64) (*etcdserverpb.ResponseHeader, []*etcdserverpb.Member, error) {
		resp, err := c.Cli.MemberRemove(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		return resp.Header, resp.Members, nil
	})
}

// changeMember runs a change to the member named in the path once its audit record is committed,
// and answers with the membership that results.
func changeMember(c *core.Call, change func(context.Context, uint64) (*etcdserverpb.ResponseHeader, []*etcdserverpb.Member, error)) (any, error) {
	id, err := memberID(c)
	if err != nil {
		return nil, err
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	ctx, cancel := c.Cluster.RequestCtx(c.R.Context())
	defer cancel()
	header, members, err := change(ctx, id)
	if err != nil {
		return nil, err
	}
	return map[string]any{"header": apihttp.HeaderOf(header), "members": membersOf(members)}, nil
}

func (s *api) endpointHealth(c *core.Call) (any, error) {
	states, err := c.Cluster.MemberStates(c.R.Context())
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

type Alarm struct {
	MemberID string `json:"member_id"`
	Alarm    string `json:"alarm"`
}

func alarmsOf(resp *clientv3.AlarmResponse) []Alarm {
	out := []Alarm{}
	for _, a := range resp.Alarms {
		out = append(out, Alarm{MemberID: fmt.Sprintf("%x", a.MemberID), Alarm: a.Alarm.String()})
	}
	return out
}

func (s *api) listAlarms(c *core.Call) (any, error) {
	ctx, cancel := c.Cluster.RequestCtx(c.R.Context())
	defer cancel()
	resp, err := c.Cli.AlarmList(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{"header": apihttp.HeaderOf(resp.Header), "alarms": alarmsOf(resp)}, nil
}

// disarmAlarms disarms every alarm, or one member's (member_id) and/or one kind (alarm=NOSPACE,
// CORRUPT).
func (s *api) disarmAlarms(c *core.Call) (any, error) {
	q := c.R.URL.Query()
	m := &clientv3.AlarmMember{}
	if v := q.Get("member_id"); v != "" {
		id, err := strconv.ParseUint(v, 16, 64)
		if err != nil {
			return nil, apihttp.Errorf(http.StatusBadRequest, "member_id %q: want a hexadecimal member id", v)
		}
		m.MemberID = id
	}
	if v := q.Get("alarm"); v != "" {
		a, ok := etcdserverpb.AlarmType_value[v]
		if !ok || a == int32(etcdserverpb.AlarmType_NONE) {
			return nil, apihttp.Errorf(http.StatusBadRequest, "alarm %q: want NOSPACE or CORRUPT", v)
		}
		m.Alarm = etcdserverpb.AlarmType(a)
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	ctx, cancel := c.Cluster.RequestCtx(c.R.Context())
	defer cancel()
	if m.MemberID != 0 && m.Alarm != etcdserverpb.AlarmType_NONE {
		resp, err := c.Cli.AlarmDisarm(ctx, m)
		if err != nil {
			return nil, err
		}
		return map[string]any{"disarmed": alarmsOf(resp)}, nil
	}
	// Disarm each matching alarm, as etcdctl does for "all".
	list, err := c.Cli.AlarmList(ctx)
	if err != nil {
		return nil, err
	}
	disarmed := []Alarm{}
	for _, a := range list.Alarms {
		if (m.MemberID != 0 && a.MemberID != m.MemberID) || (m.Alarm != etcdserverpb.AlarmType_NONE && a.Alarm != m.Alarm) {
			continue
		}
		resp, err := c.Cli.AlarmDisarm(ctx, &clientv3.AlarmMember{MemberID: a.MemberID, Alarm: a.Alarm})
		if err != nil {
			return nil, err
		}
		disarmed = append(disarmed, alarmsOf(resp)...)
	}
	return map[string]any{"disarmed": disarmed}, nil
}
