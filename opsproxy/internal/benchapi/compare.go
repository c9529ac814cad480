package benchapi

import (
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/benchrunner/regress"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// compareSeed fixes the bootstrap, so the same two runs always compare the same way.
const compareSeed = 15

// Comparison is a run against its baseline, metric by metric.
type Comparison struct {
	Run      Summary `json:"run"`
	Baseline Summary `json:"baseline"`
	// BaselineName is the named baseline compared with, when one was asked for.
	BaselineName string `json:"baseline_name,omitempty"`
	// Verdict is "regressed" when any metric regressed, else "improved" when any improved,
	// else "unchanged".
	Verdict string          `json:"verdict"`
	Results []MetricCompare `json:"results"`
}

// MetricCompare is regress.Result as answered.
type MetricCompare struct {
	Metric         string  `json:"metric"`
	Verdict        string  `json:"verdict"`
	Change         float64 `json:"change"`
	Low            float64 `json:"low"`
	High           float64 `json:"high"`
	BaselineMedian float64 `json:"baseline_median"`
	RunMedian      float64 `json:"run_median"`
	Samples        [2]int  `json:"samples"`
	Note           string  `json:"note,omitempty"`
}

// Compare runs the regression test of run against baseline.
func Compare(run, baseline Run) Comparison {
	out := Comparison{Run: run.Summary, Baseline: baseline.Summary, Verdict: regress.Unchanged}
	for _, r := range regress.Compare(baseline.Report.Samples, run.Report.Samples, regress.Options{Seed: compareSeed}) {
		out.Results = append(out.Results, MetricCompare{Metric: r.Metric, Verdict: r.Verdict, Change: r.Change, Low: r.Low,
			High: r.High, BaselineMedian: r.BaselineMedian, RunMedian: r.RunMedian, Samples: r.Samples, Note: r.Note})
		switch {
		case r.Verdict == regress.Regressed:
			out.Verdict = regress.Regressed
		case r.Verdict == regress.Improved && out.Verdict == regress.Unchanged:
			out.Verdict = regress.Improved
		}
	}
	return out
}

// compare answers GET /benchmarks/{id}/compare?baseline=NAME or ?against=ID: the run against
// the cluster's named baseline or another run of the same command.
func (s *api) compare(c *core.Call) (any, error) {
	run, err := s.run(c, "id", c.R.PathValue("id"))
	if err != nil {
		return nil, err
	}
	q := c.R.URL.Query()
	name, against := q.Get("baseline"), q.Get("against")
	var base Run
	switch {
	case (name == "") == (against == ""):
		return nil, apihttp.Errorf(http.StatusBadRequest, "baseline: give either baseline (a baseline's name) or against (a benchmark id)")
	case name != "":
		if err := checkName("baseline", name); err != nil {
			return nil, err
		}
		b, err := s.Store.Baseline(c.R.Context(), store.KindBenchmark, run.Cluster, name)
		if err != nil {
			return nil, apihttp.StoreError("baseline "+name+" of cluster "+run.Cluster, err)
		}
		if base, err = decodeRun(b.Result); err != nil {
			return nil, err
		}
	default:
		if base, err = s.run(c, "against", against); err != nil {
			return nil, err
		}
	}
	if base.Command != run.Command {
		return nil, apihttp.Errorf(http.StatusConflict, "baseline: benchmark %s is a %s run, %s a %s run: only runs of one command compare",
			base.ID, base.Command, run.ID, run.Command)
	}
	out := Compare(run, base)
	out.BaselineName = name
	return out, nil
}
