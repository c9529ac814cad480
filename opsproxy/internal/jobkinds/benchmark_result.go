package jobkinds

import (
	"encoding/json"
	"time"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/benchrunner/slo"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// BenchmarkParameters are the parameters of a stored benchmark result: the job's, the step it
// measured, and where its keys went.
type BenchmarkParameters struct {
	Job     string            `json:"job"`
	Profile string            `json:"profile"`
	Step    int               `json:"step"`
	Steps   int               `json:"steps"`
	Command string            `json:"command"`
	Args    []string          `json:"args,omitempty"`
	Flags   map[string]string `json:"flags,omitempty"`
	Prefix  string            `json:"prefix"`
	Force   bool              `json:"force,omitempty"`
}

// VerdictJSON is an SLO verdict as stored and answered.
type VerdictJSON struct {
	Pass             bool        `json:"pass"`
	Profile          string      `json:"profile"`
	Checks           []CheckJSON `json:"checks"`
	RunnerCPUPercent float64     `json:"runner_cpu_percent"`
	GeneratorLimited bool        `json:"generator_limited,omitempty"`
	Note             string      `json:"note,omitempty"`
}

// CheckJSON is one rule of a verdict.
type CheckJSON struct {
	Rule    string  `json:"rule"`
	Pass    bool    `json:"pass"`
	Want    float64 `json:"want"`
	Got     float64 `json:"got"`
	Unit    string  `json:"unit"`
	Message string  `json:"message"`
}

func verdictJSON(v slo.Verdict) *VerdictJSON {
	out := &VerdictJSON{Pass: v.Pass, Profile: v.Profile, RunnerCPUPercent: v.RunnerCPUPercent,
		GeneratorLimited: v.GeneratorLimited, Note: v.Note, Checks: make([]CheckJSON, 0, len(v.Checks))}
	for _, c := range v.Checks {
		out.Checks = append(out.Checks, CheckJSON{Rule: c.Rule, Pass: c.Pass, Want: c.Want, Got: c.Got, Unit: c.Unit, Message: c.Message})
	}
	return out
}

// benchmarkStoreResult is the stored result of step i of a benchmark job: its report as the
// figures (a partial one says so in its own fields), named by the profile.
func benchmarkStoreResult(job store.Job, params benchmarkParams, prof slo.Profile, i int, rep *benchrunner.Report, verdict store.Verdict) store.Result {
	step := prof.Runs[i]
	opts := step.Options(BenchmarkPrefix(job.ID))
	parameters, _ := json.Marshal(BenchmarkParameters{Job: job.ID, Profile: prof.Name, Step: i + 1, Steps: len(prof.Runs),
		Command: step.Command, Args: opts.Args, Flags: opts.Flags, Prefix: opts.Prefix, Force: params.Force})
	figures, _ := json.Marshal(rep)
	started, finished := rep.StartedAt, rep.FinishedAt
	if started.IsZero() {
		started = time.Now()
	}
	if finished.Before(started) {
		finished = started
	}
	return store.Result{Kind: store.KindBenchmark, Cluster: job.Cluster, Name: prof.Name, StartedAt: started,
		FinishedAt: finished, Parameters: parameters, Figures: figures, Verdict: verdict}
}
