package exporter

import (
	"fmt"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
)

func init() { registerProbe("status", true, statusProbe{}) }

// statusProbe reports each member's answer to the Status request: version, database sizes and
// quota, leadership, raft progress, learner flag and the errors the member lists.
type statusProbe struct{}

var (
	memberLabels = []string{"cluster", "endpoint"}

	memberUpDesc          = newMemberDesc("member_up", "1 when the member answered a Status request in this scrape.")
	memberInfoDesc        = prometheus.NewDesc(namespace+"_member_info", "Constant 1 describing the member behind an endpoint.", []string{"cluster", "endpoint", "member", "member_id", "version", "storage_version"}, nil)
	memberStatusRTTDesc   = newMemberDesc("member_status_duration_seconds", "Round trip of the Status request to the member.")
	memberDBSizeDesc      = newMemberDesc("member_db_size_bytes", "Physically allocated size of the member's backend database.")
	memberDBInUseDesc     = newMemberDesc("member_db_size_in_use_bytes", "Logically used size of the member's backend database.")
	memberDBQuotaDesc     = newMemberDesc("member_db_quota_bytes", "Backend quota of the member, as the server reports it.")
	memberIsLeaderDesc    = newMemberDesc("member_is_leader", "1 when the member believes it is the leader.")
	memberIsLearnerDesc   = newMemberDesc("member_is_learner", "1 when the member is a learner (non-voting).")
	memberRaftTermDesc    = newMemberDesc("member_raft_term", "Raft term the member is in.")
	memberRaftIndexDesc   = newMemberDesc("member_raft_index", "Raft index the member has committed.")
	memberRaftAppliedDesc = newMemberDesc("member_raft_applied_index", "Raft index the member has applied.")
	memberRevisionDesc    = newMemberDesc("member_revision", "Key-value store revision the member reports.")
	memberStatusErrsDesc  = newMemberDesc("member_status_errors", "Number of errors the member lists in its Status response.")
	memberProbeErrorDesc  = prometheus.NewDesc(namespace+"_member_probe_error",
		"1 when the member did not answer Status in this scrape, with why: refused, tls_unknown_authority, tls_hostname_mismatch, tls_expired_or_not_yet_valid, tls_client_cert_rejected, tls_not_tls, tls_handshake, auth, timeout, unreachable or other.",
		[]string{"cluster", "endpoint", "reason"}, nil)
)

func newMemberDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(namespace+"_"+name, help, memberLabels, nil)
}

func (statusProbe) describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{memberUpDesc, memberInfoDesc, memberStatusRTTDesc, memberDBSizeDesc,
		memberDBInUseDesc, memberDBQuotaDesc, memberIsLeaderDesc, memberIsLearnerDesc, memberRaftTermDesc,
		memberRaftIndexDesc, memberRaftAppliedDesc, memberRevisionDesc, memberStatusErrsDesc, memberProbeErrorDesc} {
		ch <- d
	}
}

func (statusProbe) collect(s *scrape, ch chan<- prometheus.Metric) error {
	cluster := s.t.cfg.Name
	names := s.memberNames()
	up := 0
	for _, st := range s.statuses() {
		ep := st.endpoint
		ch <- gauge(memberUpDesc, boolFloat(st.up()), cluster, ep)
		if !st.up() {
			ch <- gauge(memberProbeErrorDesc, 1, cluster, ep, etcdconn.ReasonOf(st.err))
			continue
		}
		up++
		r := st.resp
		id := r.Header.MemberId
		ch <- gauge(memberInfoDesc, 1, cluster, ep, names[id], fmt.Sprintf("%x", id), r.Version, r.StorageVersion)
		ch <- gauge(memberStatusRTTDesc, st.rtt.Seconds(), cluster, ep)
		ch <- gauge(memberDBSizeDesc, float64(r.DbSize), cluster, ep)
		ch <- gauge(memberDBInUseDesc, float64(r.DbSizeInUse), cluster, ep)
		if r.DbSizeQuota > 0 {
			ch <- gauge(memberDBQuotaDesc, float64(r.DbSizeQuota), cluster, ep)
		}
		ch <- gauge(memberIsLeaderDesc, boolFloat(r.Leader != 0 && r.Leader == id), cluster, ep)
		ch <- gauge(memberIsLearnerDesc, boolFloat(r.IsLearner), cluster, ep)
		ch <- gauge(memberRaftTermDesc, float64(r.RaftTerm), cluster, ep)
		ch <- gauge(memberRaftIndexDesc, float64(r.RaftIndex), cluster, ep)
		ch <- gauge(memberRaftAppliedDesc, float64(r.RaftAppliedIndex), cluster, ep)
		ch <- gauge(memberRevisionDesc, float64(r.Header.Revision), cluster, ep)
		ch <- gauge(memberStatusErrsDesc, float64(len(r.Errors)), cluster, ep)
	}
	if up == 0 {
		return s.noMemberAnswered()
	}
	return nil
}

// memberNames maps member IDs to names. Names are remembered from the last member list, so the
// status probe need not wait for this scrape's: only a member ID not seen before makes it wait.
// Empty when no member list was ever had.
func (s *scrape) memberNames() map[uint64]string {
	names := s.t.names.get()
	known := true
	for _, st := range s.statuses() {
		if _, ok := names[st.memberID()]; st.up() && !ok {
			known = false
		}
	}
	if known && len(names) > 0 {
		return names
	}
	if _, err := s.memberList(); err != nil {
		return names
	}
	return s.t.names.get()
}

// memberNameCache holds the member names of a cluster from its last member list.
type memberNameCache struct {
	mu    sync.Mutex
	names map[uint64]string
}

func (c *memberNameCache) get() map[uint64]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.names
}

func (c *memberNameCache) set(resp *clientv3.MemberListResponse) {
	names := make(map[uint64]string, len(resp.Members))
	for _, m := range resp.Members {
		names[m.ID] = m.Name
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.names = names
}
