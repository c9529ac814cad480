package benchapi

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobkinds"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/resultapi"
)

// benchmarks is the kind of result this area answers.
var benchmarks = resultapi.Kind{Result: store.KindBenchmark, Noun: "benchmark", Plural: "benchmarks"}

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
	f, err := resultapi.ListFilter(c, benchmarks, "profile")
	if err != nil {
		return nil, err
	}
	results, err := resultapi.List(c, s.Store, benchmarks, f)
	if err != nil {
		return nil, err
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
	run, err := s.run(c, "id", c.R.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return run, nil
}

// run reads the run called id, given as field, for c (resultapi.Get: 404 when it does not
// exist, is not a benchmark, or is of a cluster the token may not read).
func (s *api) run(c *core.Call, field, id string) (Run, error) {
	r, err := resultapi.Get(c, s.Store, benchmarks, field, id)
	if err != nil {
		return Run{}, err
	}
	return decodeRun(r)
}
