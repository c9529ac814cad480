package exporter

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
)

// scrape is one probe of one cluster. Requests that several probes need (every member's Status,
// health check and alarm list, the member list) are made once per scrape and shared, so the
// number of requests per member per scrape stays constant whichever probes are enabled. Status
// requests start when the scrape does; the member list is asked of the first member to answer.
type scrape struct {
	ctx context.Context
	t   *target

	statusResults []memberStatus
	statusDone    chan struct{}
	firstUpOnce   sync.Once
	firstUpEP     string
	firstUpDone   chan struct{}

	health     map[string]func() etcdconn.Health
	alarms     func() alarmList
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

type alarmList struct {
	resp *clientv3.AlarmResponse
	err  error
}

func newScrape(ctx context.Context, t *target) *scrape {
	s := &scrape{
		ctx:           ctx,
		t:             t,
		statusResults: make([]memberStatus, len(t.cfg.Endpoints)),
		statusDone:    make(chan struct{}),
		firstUpDone:   make(chan struct{}),
		health:        map[string]func() etcdconn.Health{},
	}
	for _, ep := range t.cfg.Endpoints {
		s.health[ep] = sync.OnceValue(func() etcdconn.Health { return s.checkHealth(ep) })
	}
	s.memberList = sync.OnceValues(s.fetchMemberList)
	s.alarms = sync.OnceValue(s.fetchAlarms)
	go s.fetchStatuses()
	return s
}

// fetchStatuses asks every member for its Status concurrently, noting the first to answer.
func (s *scrape) fetchStatuses() {
	parallel(len(s.statusResults), func(i int) {
		st := s.fetchStatus(s.t.cfg.Endpoints[i])
		s.statusResults[i] = st
		if st.up() {
			s.firstUpOnce.Do(func() { s.firstUpEP = st.endpoint; close(s.firstUpDone) })
		}
	})
	s.firstUpOnce.Do(func() { close(s.firstUpDone) })
	close(s.statusDone)
}

// memberContext bounds one request to a member by the cluster's request timeout and by the
// scrape's own deadline, whichever comes first.
func (s *scrape) memberContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.ctx, time.Duration(s.t.cfg.RequestTimeout))
}

// statuses returns every member's Status, in endpoint order, once all have answered or failed.
func (s *scrape) statuses() []memberStatus {
	<-s.statusDone
	return s.statusResults
}

// firstUpEndpoint waits for the first member to answer Status; "" when none did.
func (s *scrape) firstUpEndpoint() string {
	<-s.firstUpDone
	return s.firstUpEP
}

// fetchStatus asks a member for its Status; a failure is classified (etcdconn.Error) and logged
// when its reason changes.
func (s *scrape) fetchStatus(ep string) memberStatus {
	st := s.askStatus(ep)
	s.t.failures.note(s.t.logger, ep, st.err)
	return st
}

func (s *scrape) askStatus(ep string) memberStatus {
	ctx, cancel := s.memberContext()
	defer cancel()
	m, err := s.t.member(ctx, ep)
	if err != nil {
		return memberStatus{endpoint: ep, err: err}
	}
	start := time.Now()
	var resp *clientv3.StatusResponse
	err = m.Do(ctx, func(ctx context.Context) (err error) {
		resp, err = m.Maintenance.Status(ctx, ep)
		return err
	})
	took := time.Since(start)
	if err != nil {
		return memberStatus{endpoint: ep, rtt: took, err: fmt.Errorf("status of %s: %w", ep, err)}
	}
	return memberStatus{endpoint: ep, resp: resp, rtt: took}
}

// fetchAlarms gets the alarm list. Alarms are cluster state replicated through raft, so one list
// serves every member's health check (etcdctl asks each endpoint; the answer is the same, and this
// saves two requests per cluster).
func (s *scrape) fetchAlarms() alarmList {
	resp, err := askUpMembers(s, "alarm list", func(ctx context.Context, m *etcdconn.Member) (*clientv3.AlarmResponse, error) {
		return m.Maintenance.AlarmList(ctx)
	})
	return alarmList{resp: resp, err: err}
}

// checkHealth is etcdctl endpoint health (etcdconn.CheckHealth), with the alarm list of the
// scrape shared by every member: it is raft state, the same on each.
func (s *scrape) checkHealth(ep string) etcdconn.Health {
	ctx, cancel := s.memberContext()
	defer cancel()
	m, err := s.t.member(ctx, ep)
	if err != nil {
		return etcdconn.Health{Err: err}
	}
	// The alarm list is fetched alongside the read rather than after it.
	alarms := make(chan alarmList, 1)
	go func() { alarms <- s.alarms() }()
	return etcdconn.CheckHealth(ctx, m, func(context.Context) (*clientv3.AlarmResponse, error) {
		al := <-alarms
		return al.resp, al.err
	})
}

// fetchMemberList gets the member list, serializable so that a member without quorum still says
// who its peers are, and remembers the names.
func (s *scrape) fetchMemberList() (*clientv3.MemberListResponse, error) {
	resp, err := askUpMembers(s, "member list", func(ctx context.Context, m *etcdconn.Member) (*clientv3.MemberListResponse, error) {
		return m.Client.MemberList(ctx, clientv3.WithSerializable())
	})
	if err == nil {
		s.t.names.set(resp)
	}
	return resp, err
}

// askUpMembers makes a cluster-wide request of the first member that answered Status, then of the
// others in turn until one answers; the error says what each of them said.
func askUpMembers[T any](s *scrape, what string, request func(context.Context, *etcdconn.Member) (T, error)) (T, error) {
	var (
		zero T
		errs []error
	)
	for ep := range s.upEndpoints() {
		ctx, cancel := s.memberContext()
		m, err := s.t.member(ctx, ep)
		if err != nil {
			cancel()
			errs = append(errs, err)
			continue
		}
		resp, err := request(ctx, m)
		cancel()
		if err == nil {
			return resp, nil
		}
		errs = append(errs, fmt.Errorf("%s from %s: %w", what, ep, err))
	}
	if len(errs) == 0 {
		return zero, s.noMemberAnswered()
	}
	return zero, errors.Join(errs...)
}

// upEndpoints yields the endpoints that answered Status: the first to answer as soon as it has,
// the others (in endpoint order) only once every Status request is done, so that the common case
// does not wait for the slowest member.
func (s *scrape) upEndpoints() iter.Seq[string] {
	return func(yield func(string) bool) {
		first := s.firstUpEndpoint()
		if first == "" || !yield(first) {
			return
		}
		for _, st := range s.statuses() {
			if st.up() && st.endpoint != first && !yield(st.endpoint) {
				return
			}
		}
	}
}

// firstUp returns the client of the first member that answered Status in this scrape.
func (s *scrape) firstUp() (*etcdconn.Member, string, error) {
	ep := s.firstUpEndpoint()
	if ep == "" {
		return nil, "", s.noMemberAnswered()
	}
	m, err := s.t.member(s.ctx, ep)
	return m, ep, err
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
