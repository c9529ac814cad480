package exporter

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
)

func init() { registerProbe("health", true, healthProbe{}) }

// healthProbe reports etcdctl endpoint health for each member (etcdconn.CheckHealth): a
// linearizable read succeeds (permission denied counts) and no alarm is active.
type healthProbe struct{}

var (
	memberHealthyDesc       = newMemberDesc("member_healthy", "1 when the member passes etcdctl endpoint health: a linearizable read succeeds (permission denied counts) and no alarm is active.")
	memberHealthLatencyDesc = newMemberDesc("member_health_check_duration_seconds", "Duration of the health check's linearizable read.")
)

func (healthProbe) describe(ch chan<- *prometheus.Desc) {
	ch <- memberHealthyDesc
	ch <- memberHealthLatencyDesc
}

func (healthProbe) collect(s *scrape, ch chan<- prometheus.Metric) error {
	cluster := s.t.cfg.Name
	results := make([]etcdconn.Health, len(s.t.cfg.Endpoints))
	parallel(len(results), func(i int) { results[i] = s.health[s.t.cfg.Endpoints[i]]() })
	for i, h := range results {
		ep := s.t.cfg.Endpoints[i]
		ch <- gauge(memberHealthyDesc, boolFloat(h.Healthy), cluster, ep)
		if h.Took > 0 {
			ch <- gauge(memberHealthLatencyDesc, h.Took.Seconds(), cluster, ep)
		}
	}
	return nil
}
