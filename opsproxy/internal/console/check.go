package console

import (
	"encoding/json"
	"fmt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobkinds"
)

// checkPerfRefused are check perf's flags the console refuses, with why: the benchmark job
// decides where it writes and cleans up after itself, and what else runs after it is the
// caller's to run.
var checkPerfRefused = []struct{ flag, why string }{
	{"prefix", "the benchmark job writes under its own prefix, " + jobkinds.BenchmarkPrefix("<job id>") + ", and deletes its keys when it ends"},
	{"auto-compact", "the benchmark job does not compact; run compaction with the revision you choose once it has ended"},
	{"auto-defrag", "the benchmark job does not defragment; run defrag (a job too) once it has ended"},
}

// planCheckPerf enqueues a benchmark job running the profile --load names (etcdctl's s, m, l
// and xl, k8s-large, or one configured in opsproxy); etcdctl runs the load itself and prints
// its verdict when it ends, a minute later. On a protected cluster the job needs --force.
func planCheckPerf(e *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 0 {
		return nil, badRequest(ExitBadArgs, "check perf command accepts no arguments")
	}
	for _, r := range checkPerfRefused {
		if inv.Flags.Changed(r.flag) {
			return nil, badRequest(ExitBadArgs, "--%s: not available in the console: %s", r.flag, r.why)
		}
	}
	load := inv.String("load")
	params, err := json.Marshal(struct {
		Profile string `json:"profile"`
		Force   bool   `json:"force,omitempty"`
	}{load, inv.Bool("force")})
	if err != nil {
		return nil, err
	}
	// The kind checks the profile; its answer is given as etcdctl's refusal of an unknown
	// load (exit 4), naming the flag rather than the job's parameter.
	if e.jobs != nil {
		if kind, ok := e.jobs.Kind(kindBenchmark); ok && kind.Validate != nil {
			if err := kind.Validate(params); err != nil {
				return nil, badRequest(ExitBadFeature, "--load: %v", err)
			}
		}
	}
	return e.planJob(inv, kindBenchmark, params, "; in the console: check perf --force", func(j store.Job) string {
		return fmt.Sprintf("Benchmark job %s enqueued: profile %s, writing under its own prefix %s (deleted when it ends); "+
			"its verdict is in GET /api/v1/jobs/%s once it ends and its results on the Benchmarks page",
			j.ID, load, jobkinds.BenchmarkPrefix(j.ID), j.ID)
	})
}
