package diskapi

import (
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// Agent is a configured disk agent as answered: where it is and how opsproxy authenticates to
// it ("basic", "mtls" or "none"), never a password or a key's path.
type Agent struct {
	Member string `json:"member"`
	URL    string `json:"url"`
	Auth   string `json:"auth"`
}

// AgentList is the answer of GET /clusters/{cluster}/disk-agents.
type AgentList struct {
	Agents []Agent `json:"agents"`
}

// listAgents answers GET /clusters/{cluster}/disk-agents from the configuration served now. A
// token limited to other clusters is refused, a cluster not configured is 404.
func (s *api) listAgents(c *core.Call) (any, error) {
	cluster, err := s.pathCluster(c)
	if err != nil {
		return nil, err
	}
	cfg, _ := s.Config().Clusters.Get(cluster)
	out := AgentList{Agents: make([]Agent, 0, len(cfg.DiskAgents))}
	for _, a := range cfg.DiskAgents {
		out.Agents = append(out.Agents, Agent{Member: a.Member, URL: a.URL, Auth: a.Auth()})
	}
	return out, nil
}

// pathCluster checks the path's cluster for c: a token limited to other clusters is refused
// (403, audited as denied, as for benchmarks), a cluster not configured is 404.
func (s *api) pathCluster(c *core.Call) (string, error) {
	cluster := c.R.PathValue("cluster")
	c.Rec.Cluster = cluster
	if !c.P.MayUseCluster(cluster) {
		return "", apihttp.Deniedf("token %s may not act on cluster %q", c.P.Token.ID, cluster)
	}
	if _, ok := s.Config().Clusters.Get(cluster); !ok {
		return "", apihttp.Errorf(http.StatusNotFound, "cluster: no cluster %q", cluster)
	}
	return cluster, nil
}
