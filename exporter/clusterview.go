package exporter

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

func init() { registerProbe("cluster", true, clusterViewProbe{}) }

// clusterViewProbe reports what the members say together: whether a quorum follows one leader,
// who disagrees, membership counts, and how many more voters may fail before quorum is lost.
type clusterViewProbe struct{}

var (
	clusterLabels = []string{"cluster"}

	hasLeaderDesc        = newClusterDesc("cluster_has_leader", "1 when a majority of the answering members name the same leader.")
	leaderDisagreeDesc   = newClusterDesc("cluster_leader_disagreement_members", "Number of answering members whose leader differs from the majority's.")
	leaderChangesDesc    = newClusterDesc("cluster_leader_changes_seen_total", "Leader changes the exporter observed between scrapes.")
	membersDesc          = newClusterDesc("cluster_members", "Members in the member list.")
	learnersDesc         = newClusterDesc("cluster_learners", "Learner members in the member list.")
	votingMembersDesc    = newClusterDesc("cluster_voting_members", "Voting members in the member list.")
	quorumSizeDesc       = newClusterDesc("cluster_quorum_size", "Voting members needed for quorum.")
	healthyVotersDesc    = newClusterDesc("cluster_healthy_voters", "Voting members that are up and healthy.")
	failureToleranceDesc = newClusterDesc("cluster_failure_tolerance", "How many more voting members can fail before quorum is lost (negative when it already is).")
	quorumAtRiskDesc     = newClusterDesc("cluster_quorum_at_risk", "1 when one more voting member failure loses quorum.")
)

func newClusterDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(namespace+"_"+name, help, clusterLabels, nil)
}

func (clusterViewProbe) describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{hasLeaderDesc, leaderDisagreeDesc, leaderChangesDesc, membersDesc,
		learnersDesc, votingMembersDesc, quorumSizeDesc, healthyVotersDesc, failureToleranceDesc, quorumAtRiskDesc} {
		ch <- d
	}
}

func (clusterViewProbe) collect(s *scrape, ch chan<- prometheus.Metric) error {
	cluster := s.t.cfg.Name
	statuses := s.statuses()

	// Voting membership from the member list; without it, every configured endpoint is taken
	// for a voter, which is what a cluster the exporter cannot ask about looks like.
	voting := map[uint64]bool{}
	members, learners := len(s.t.cfg.Endpoints), 0
	list, listErr := s.memberList()
	if listErr == nil {
		members = len(list.Members)
		for _, m := range list.Members {
			if m.IsLearner {
				learners++
			} else {
				voting[m.ID] = true
			}
		}
	}
	votingCount := members - learners
	quorum := votingCount/2 + 1

	// The leader named by most answering members, and how many name another.
	votes := map[uint64]int{}
	answering := 0
	for _, st := range statuses {
		if st.up() {
			votes[st.resp.Leader]++
			answering++
		}
	}
	var leader uint64
	for id, n := range votes {
		if n > votes[leader] || (n == votes[leader] && id > leader) {
			leader = id
		}
	}
	hasLeader := leader != 0 && votes[leader] >= quorum
	disagree := answering - votes[leader]
	if hasLeader {
		s.t.leader.observe(leader)
	}

	// Healthy voters: members that answered Status (so we know their ID), are voters, and pass
	// the health check.
	healthy := 0
	var mu sync.Mutex
	parallel(len(statuses), func(i int) {
		st := statuses[i]
		if !st.up() || (listErr == nil && !voting[st.memberID()]) || (listErr != nil && st.resp.IsLearner) {
			return
		}
		if s.health[st.endpoint]().Healthy {
			mu.Lock()
			healthy++
			mu.Unlock()
		}
	})
	tolerance := healthy - quorum

	ch <- gauge(hasLeaderDesc, boolFloat(hasLeader), cluster)
	ch <- gauge(leaderDisagreeDesc, float64(disagree), cluster)
	ch <- prometheus.MustNewConstMetric(leaderChangesDesc, prometheus.CounterValue, float64(s.t.leader.changes()), cluster)
	ch <- gauge(membersDesc, float64(members), cluster)
	ch <- gauge(learnersDesc, float64(learners), cluster)
	ch <- gauge(votingMembersDesc, float64(votingCount), cluster)
	ch <- gauge(quorumSizeDesc, float64(quorum), cluster)
	ch <- gauge(healthyVotersDesc, float64(healthy), cluster)
	ch <- gauge(failureToleranceDesc, float64(tolerance), cluster)
	ch <- gauge(quorumAtRiskDesc, boolFloat(tolerance <= 0), cluster)
	if answering == 0 {
		return s.noMemberAnswered()
	}
	return nil
}

// leaderTracker counts leader changes seen across scrapes of one cluster.
type leaderTracker struct {
	mu    sync.Mutex
	last  uint64
	count uint64
}

func (l *leaderTracker) observe(id uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last != 0 && l.last != id {
		l.count++
	}
	l.last = id
}

func (l *leaderTracker) changes() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.count
}
