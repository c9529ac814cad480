package exporter

import (
	"github.com/prometheus/client_golang/prometheus"
)

func init() { registerProbe("spread", true, spreadProbe{}) }

// spreadProbe reports how far apart the members are in revision and raft index, and how far each
// one is behind the most advanced: a lagging member shows here before it shows anywhere else.
type spreadProbe struct{}

var (
	revisionSpreadDesc  = newClusterDesc("cluster_revision_spread", "Highest minus lowest revision among answering members.")
	raftIndexSpreadDesc = newClusterDesc("cluster_raft_index_spread", "Highest minus lowest raft index among answering members.")
	revisionLagDesc     = newMemberDesc("member_revision_lag", "How far the member's revision is behind the highest among answering members.")
	raftIndexLagDesc    = newMemberDesc("member_raft_index_lag", "How far the member's raft index is behind the highest among answering members.")
)

func (spreadProbe) describe(ch chan<- *prometheus.Desc) {
	ch <- revisionSpreadDesc
	ch <- raftIndexSpreadDesc
	ch <- revisionLagDesc
	ch <- raftIndexLagDesc
}

func (spreadProbe) collect(s *scrape, ch chan<- prometheus.Metric) error {
	cluster := s.t.cfg.Name
	var up []memberStatus
	for _, st := range s.statuses() {
		if st.up() {
			up = append(up, st)
		}
	}
	if len(up) == 0 {
		return s.noMemberAnswered()
	}
	minRev, maxRev := up[0].resp.Header.Revision, up[0].resp.Header.Revision
	minIdx, maxIdx := up[0].resp.RaftIndex, up[0].resp.RaftIndex
	for _, st := range up[1:] {
		minRev, maxRev = min(minRev, st.resp.Header.Revision), max(maxRev, st.resp.Header.Revision)
		minIdx, maxIdx = min(minIdx, st.resp.RaftIndex), max(maxIdx, st.resp.RaftIndex)
	}
	ch <- gauge(revisionSpreadDesc, float64(maxRev-minRev), cluster)
	ch <- gauge(raftIndexSpreadDesc, float64(maxIdx-minIdx), cluster)
	for _, st := range up {
		ch <- gauge(revisionLagDesc, float64(maxRev-st.resp.Header.Revision), cluster, st.endpoint)
		ch <- gauge(raftIndexLagDesc, float64(maxIdx-st.resp.RaftIndex), cluster, st.endpoint)
	}
	return nil
}
