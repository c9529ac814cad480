package benchapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// maxBaselineBody bounds PUT /clusters/{cluster}/baselines/{name}: one id.
const maxBaselineBody = 4 << 10

// maxNameLen bounds a baseline's name.
const maxNameLen = 128

// Baseline is a named baseline as answered: the run it points at, summarised.
type Baseline struct {
	Cluster string    `json:"cluster"`
	Name    string    `json:"name"`
	SetBy   string    `json:"set_by"`
	SetAt   time.Time `json:"set_at"`
	Run     Summary   `json:"run"`
}

// checkName accepts names of letters, digits, '.', '_' and '-' (they go in URLs and labels).
func checkName(field, name string) error {
	if name == "" || len(name) > maxNameLen {
		return apihttp.Errorf(http.StatusBadRequest, "%s: want 1 to %d characters", field, maxNameLen)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return apihttp.Errorf(http.StatusBadRequest, "%s: want letters, digits, '.', '_' or '-'", field)
		}
	}
	return nil
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
	b, err := s.Store.Baseline(c.R.Context(), store.KindBenchmark, cluster, name)
	if err != nil {
		return nil, apihttp.StoreError("baseline "+name, err)
	}
	return baselineOf(b)
}

// setBaselineRequest is the body of PUT /clusters/{cluster}/baselines/{name}.
type setBaselineRequest struct {
	ResultID string `json:"result_id"`
}

// setBaseline answers PUT /clusters/{cluster}/baselines/{name}: points the baseline at a run
// of the cluster, replacing what it pointed at. The attempt is audited before the change.
func (s *api) setBaseline(c *core.Call) (any, error) {
	cluster, name, err := s.baselineCluster(c)
	if err != nil {
		return nil, err
	}
	var req setBaselineRequest
	if err := apihttp.DecodeJSON(c.R, &req, maxBaselineBody); err != nil {
		return nil, err
	}
	if req.ResultID == "" || len(req.ResultID) > maxQueryValue {
		return nil, apihttp.Errorf(http.StatusBadRequest, "result_id: want a benchmark id")
	}
	r, err := s.Store.Result(c.R.Context(), req.ResultID)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && (r.Kind != store.KindBenchmark || !c.P.MayUseCluster(r.Cluster))):
		return nil, apihttp.Errorf(http.StatusNotFound, "result_id: no benchmark %q", req.ResultID)
	case err != nil:
		return nil, apihttp.StoreError("benchmark", err)
	case r.Cluster != cluster:
		return nil, apihttp.Errorf(http.StatusConflict, "result_id: benchmark %s ran on cluster %q, not %q", r.ID, r.Cluster, cluster)
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	if _, err := s.Store.SetBaseline(c.R.Context(), store.Baseline{Kind: store.KindBenchmark, Cluster: cluster, Name: name,
		ResultID: r.ID, SetBy: c.P.User}); err != nil {
		return nil, apihttp.StoreError("baseline "+name, err)
	}
	b, err := s.Store.Baseline(c.R.Context(), store.KindBenchmark, cluster, name)
	if err != nil {
		return nil, apihttp.StoreError("baseline "+name, err)
	}
	return baselineOf(b)
}
