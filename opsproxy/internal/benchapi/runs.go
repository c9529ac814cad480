package benchapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobkinds"
)

// maxListLimit bounds a page of runs.
const maxListLimit = 500

// maxQueryValue bounds the names given in a query (cluster, profile, baseline, id).
const maxQueryValue = 256

// Summary is one run in a list: what tells runs apart, without the histograms and samples.
type Summary struct {
	ID         string        `json:"id"`
	Cluster    string        `json:"cluster"`
	Profile    string        `json:"profile"`
	Job        string        `json:"job"`
	Step       int           `json:"step"`
	Steps      int           `json:"steps"`
	Command    string        `json:"command"`
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt time.Time     `json:"finished_at"`
	Verdict    store.Verdict `json:"verdict,omitempty"`
	Partial    bool          `json:"partial,omitempty"`
	Requests   int64         `json:"requests"`
	Throughput float64       `json:"throughput"`
	P99        float64       `json:"latency_p99"`
}

// Run is one stored run in full: its parameters and its report.
type Run struct {
	Summary
	Parameters jobkinds.BenchmarkParameters `json:"parameters"`
	Report     benchrunner.Report           `json:"report"`
}

// decodeRun reads a stored benchmark result; the store holds what the job wrote, so a result
// that does not decode is a 500 of ours, not the caller's.
func decodeRun(r store.Result) (Run, error) {
	var run Run
	if err := json.Unmarshal(r.Parameters, &run.Parameters); err != nil {
		return run, errors.New("benchmark " + r.ID + ": stored parameters do not decode: " + err.Error())
	}
	if err := json.Unmarshal(r.Figures, &run.Report); err != nil {
		return run, errors.New("benchmark " + r.ID + ": stored report does not decode: " + err.Error())
	}
	run.Summary = Summary{ID: r.ID, Cluster: r.Cluster, Profile: r.Name, Job: run.Parameters.Job, Step: run.Parameters.Step,
		Steps: run.Parameters.Steps, Command: run.Report.Command, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
		Verdict: r.Verdict, Partial: run.Report.Partial, Requests: run.Report.Requests, Throughput: run.Report.Throughput,
		P99: run.Report.Latency.Percentiles["99"]}
	return run, nil
}

// list answers GET /benchmarks: runs newest first, filtered by cluster and profile. A token
// limited to clusters lists only theirs.
func (s *api) list(c *core.Call) (any, error) {
	q := c.R.URL.Query()
	f := store.ResultFilter{Kind: store.KindBenchmark, Cluster: q.Get("cluster"), Name: q.Get("profile")}
	for name, v := range map[string]string{"cluster": f.Cluster, "profile": f.Name} {
		if len(v) > maxQueryValue {
			return nil, apihttp.Errorf(http.StatusBadRequest, "%s: longer than %d characters", name, maxQueryValue)
		}
	}
	limit, err := apihttp.QueryInt(q, "limit", 1)
	if err != nil {
		return nil, err
	}
	if limit > maxListLimit {
		return nil, apihttp.Errorf(http.StatusBadRequest, "limit: at most %d", maxListLimit)
	}
	f.Limit = int(limit)
	if scope := c.P.Token.Clusters; len(scope) > 0 {
		switch {
		case f.Cluster == "" && len(scope) == 1:
			f.Cluster = scope[0]
		case f.Cluster == "":
			return nil, apihttp.Deniedf("cluster: required, as the token is limited to %s", strings.Join(scope, ", "))
		case !slices.Contains(scope, f.Cluster):
			return nil, apihttp.Deniedf("token %s may not read the benchmarks of cluster %q", c.P.Token.ID, f.Cluster)
		}
	}
	c.Rec.Cluster = f.Cluster
	results, err := s.Store.ListResults(c.R.Context(), f)
	if err != nil {
		return nil, apihttp.StoreError("benchmarks", err)
	}
	out := make([]Summary, 0, len(results))
	for _, r := range results {
		run, err := decodeRun(r)
		if err != nil {
			return nil, err
		}
		out = append(out, run.Summary)
	}
	return map[string]any{"benchmarks": out}, nil
}

// get answers GET /benchmarks/{id}.
func (s *api) get(c *core.Call) (any, error) {
	run, _, err := s.run(c, "id", c.R.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return run, nil
}

// run reads the run called id for c: 404 when it does not exist, is not a benchmark, or is
// of a cluster the token may not read (as if it did not exist).
func (s *api) run(c *core.Call, field, id string) (Run, store.Result, error) {
	if id == "" || len(id) > maxQueryValue {
		return Run{}, store.Result{}, apihttp.Errorf(http.StatusBadRequest, "%s: want a benchmark id", field)
	}
	r, err := s.Store.Result(c.R.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && (r.Kind != store.KindBenchmark || !c.P.MayUseCluster(r.Cluster))):
		return Run{}, r, apihttp.Errorf(http.StatusNotFound, "%s: no benchmark %q", field, id)
	case err != nil:
		return Run{}, r, apihttp.StoreError("benchmark", err)
	}
	if c.Rec.Cluster == "" {
		c.Rec.Cluster = r.Cluster
	}
	run, err := decodeRun(r)
	return run, r, err
}
