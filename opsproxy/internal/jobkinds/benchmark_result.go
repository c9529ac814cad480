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
