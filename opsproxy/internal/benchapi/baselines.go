package benchapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/baselines"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// Baseline is a named baseline as answered: the run it points at, summarised.
type Baseline struct {
	Cluster string    `json:"cluster"`
	Name    string    `json:"name"`
	SetBy   string    `json:"set_by"`
	SetAt   time.Time `json:"set_at"`
	Run     Summary   `json:"run"`
}

// checkName accepts names of letters, digits, '.', '_' and '-' (they go in URLs and labels).
func checkName(field, name string) error { return baselines.CheckName(field, name) }

// benchmarkBaselines are the benchmarks' named baselines, each pointing at a run of its
// cluster.
var benchmarkBaselines = baselines.Kind{
	Kind: benchmarks,
	Fits: func(r store.Result, cluster, _ string) error {
		if r.Cluster != cluster {
			return fmt.Errorf("benchmark %s ran on cluster %q, not %q", r.ID, r.Cluster, cluster)
		}
		return nil
	},
}

// baselineCluster checks the path's cluster and name for c: a token limited to other
// clusters is refused, a cluster not configured is 404.
func (s *api) baselineCluster(c *core.Call) (cluster, name string, err error) {
	cluster, name = c.R.PathValue("cluster"), c.R.PathValue("name")
	c.Rec.Cluster, c.Rec.Key = cluster, []byte(name)
	if !c.P.MayUseCluster(cluster) {
		return "", "", apihttp.Deniedf("token %s may not act on cluster %q", c.P.Token.ID, cluster)
	}
	if _, ok := s.State().Clusters[cluster]; !ok {
		return "", "", apihttp.Errorf(http.StatusNotFound, "cluster: no cluster %q", cluster)
	}
	return cluster, name, checkName("name", name)
}

func baselineOf(b store.Baseline) (Baseline, error) {
	run, err := decodeRun(b.Result)
	return Baseline{Cluster: b.Cluster, Name: b.Name, SetBy: b.SetBy, SetAt: b.SetAt, Run: run.Summary}, err
}

// getBaseline answers GET /clusters/{cluster}/baselines/{name}.
func (s *api) getBaseline(c *core.Call) (any, error) {
	cluster, name, err := s.baselineCluster(c)
	if err != nil {
		return nil, err
	}
	b, err := baselines.Get(c, s.Store, benchmarkBaselines, cluster, name, "baseline "+name)
	if err != nil {
		return nil, err
	}
	return baselineOf(b)
}

// setBaseline answers PUT /clusters/{cluster}/baselines/{name}: points the baseline at a run
// of the cluster, replacing what it pointed at. The attempt is audited before the change.
func (s *api) setBaseline(c *core.Call) (any, error) {
	cluster, name, err := s.baselineCluster(c)
	if err != nil {
		return nil, err
	}
	b, err := baselines.Set(c, s.Store, benchmarkBaselines, cluster, name, "baseline "+name)
	if err != nil {
		return nil, err
	}
	return baselineOf(b)
}
