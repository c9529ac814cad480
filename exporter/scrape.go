package exporter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// scrape is one probe of one cluster. Requests that several probes need (a member's Status, its
// health check, the alarm list, the member list) are made once per scrape and shared, so the
// number of requests per member per scrape stays constant whichever probes are enabled.
type scrape struct {
	ctx context.Context
	t   *target

	status     map[string]func() memberStatus
	health     map[string]func() memberHealth
	alarms     map[string]func() alarmList
	memberList func() (*clientv3.MemberListResponse, error)
}

// memberStatus is a member's answer to Status, or why it gave none.
type memberStatus struct {
	endpoint string
	resp     *clientv3.StatusResponse
	rtt      time.Duration
	err      error
}

func (m memberStatus) up() bool { return m.err == nil && m.resp != nil }

// memberID is the ID of the member behind the endpoint (0 when it did not answer).
func (m memberStatus) memberID() uint64 {
	if !m.up() {
		return 0
	}
	return m.resp.Header.MemberId
}

// memberHealth is the outcome of etcdctl-style endpoint health on one member.
type memberHealth struct {
	healthy bool
	took    time.Duration
	err     error
}

type alarmList struct {
	resp *clientv3.AlarmResponse
	err  error
}

func newScrape(ctx context.Context, t *target) *scrape {
	s := &scrape{
		ctx:    ctx,
		t:      t,
		status: map[string]func() memberStatus{},
		health: map[string]func() memberHealth{},
		alarms: map[string]func() alarmList{},
	}
	for _, ep := range t.cfg.Endpoints {
		s.status[ep] = sync.OnceValue(func() memberStatus { return s.fetchStatus(ep) })
		s.alarms[ep] = sync.OnceValue(func() alarmList { return s.fetchAlarms(ep) })
		s.health[ep] = sync.OnceValue(func() memberHealth { return s.checkHealth(ep) })
	}
	s.memberList = sync.OnceValues(s.fetchMemberList)
	return s
}

// memberContext bounds one request to a member by the cluster's request timeout and by the
// scrape's own deadline, whichever comes first.
func (s *scrape) memberContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.ctx, time.Duration(s.t.cfg.RequestTimeout))
}

// statuses returns every member's Status, fetched concurrently, in endpoint order.
func (s *scrape) statuses() []memberStatus {
	out := make([]memberStatus, len(s.t.cfg.Endpoints))
	parallel(len(out), func(i int) { out[i] = s.status[s.t.cfg.Endpoints[i]]() })
	return out
}

func (s *scrape) fetchStatus(ep string) memberStatus {
	m, err := s.t.member(ep)
	if err != nil {
		return memberStatus{endpoint: ep, err: err}
	}
	ctx, cancel := s.memberContext()
	defer cancel()
	start := time.Now()
	resp, err := m.maintenance.Status(ctx, ep)
	took := time.Since(start)
	if err != nil {
		return memberStatus{endpoint: ep, rtt: took, err: fmt.Errorf("status of %s: %w", ep, err)}
	}
	return memberStatus{endpoint: ep, resp: resp, rtt: took}
}

func (s *scrape) fetchAlarms(ep string) alarmList {
	m, err := s.t.member(ep)
	if err != nil {
		return alarmList{err: err}
	}
	ctx, cancel := s.memberContext()
	defer cancel()
	resp, err := m.maintenance.AlarmList(ctx)
	if err != nil {
		return alarmList{err: fmt.Errorf("alarm list from %s: %w", ep, err)}
	}
	return alarmList{resp: resp}
}

// checkHealth has etcdctl endpoint health's semantics: a linearizable read of key "health"
// succeeds (permission denied counts as success: the member answered through raft), and no
// alarm is active.
func (s *scrape) checkHealth(ep string) memberHealth {
	m, err := s.t.member(ep)
	if err != nil {
		return memberHealth{err: err}
	}
	ctx, cancel := s.memberContext()
	defer cancel()
	start := time.Now()
	_, err = m.cli.Get(ctx, "health")
	took := time.Since(start)
	if err != nil && !errors.Is(err, rpctypes.ErrPermissionDenied) {
		return memberHealth{took: took, err: fmt.Errorf("health of %s: %w", ep, err)}
	}
	al := s.alarms[ep]()
	if al.err != nil {
		return memberHealth{took: took, err: fmt.Errorf("health of %s: %w", ep, al.err)}
	}
	if len(al.resp.Alarms) > 0 {
		return memberHealth{took: took, err: fmt.Errorf("health of %s: %d active alarm(s)", ep, len(al.resp.Alarms))}
	}
	return memberHealth{healthy: true, took: took}
}

// fetchMemberList asks the members in turn, first answer wins. The request is serializable so
// that a member without quorum still says who its peers are.
func (s *scrape) fetchMemberList() (*clientv3.MemberListResponse, error) {
	var errs []error
	for _, st := range s.statuses() {
		if !st.up() {
			continue
		}
		m, err := s.t.member(st.endpoint)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ctx, cancel := s.memberContext()
		resp, err := m.cli.MemberList(ctx, clientv3.WithSerializable())
		cancel()
		if err == nil {
			return resp, nil
		}
		errs = append(errs, fmt.Errorf("member list from %s: %w", st.endpoint, err))
	}
	if len(errs) == 0 {
		return nil, s.noMemberAnswered()
	}
	return nil, errors.Join(errs...)
}

// firstUp returns the client of the first member that answered Status in this scrape.
func (s *scrape) firstUp() (*memberConn, string, error) {
	for _, st := range s.statuses() {
		if st.up() {
			m, err := s.t.member(st.endpoint)
			return m, st.endpoint, err
		}
	}
	return nil, "", s.noMemberAnswered()
}

// noMemberAnswered explains why no member answered Status, member by member.
func (s *scrape) noMemberAnswered() error {
	var errs []error
	for _, st := range s.statuses() {
		if st.err != nil {
			errs = append(errs, st.err)
		}
	}
	return fmt.Errorf("no member answered: %w", errors.Join(errs...))
}
