package jobkinds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/benchrunner/slo"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// KindBenchmark is the kind of a benchmark run against a configured cluster.
const KindBenchmark = "benchmark"

// ErrProtected is the refusal of a benchmark on a protected cluster without force.
var ErrProtected = errors.New("is protected")

// benchmarkProgress is the progress of a "benchmark" job, written to its record about once a
// second.
type benchmarkProgress struct {
	// State is "running", then "cleaning" while keys left by a lost cluster wait for it.
	State   string `json:"state"`
	Profile string `json:"profile"`
	// Step counts from 1 over Steps; Command is the step's.
	Step    int    `json:"step"`
	Steps   int    `json:"steps"`
	Command string `json:"command"`
	Done    int64  `json:"done"`
	Total   int64  `json:"total"`
	// Prefix is where the job writes its keys: its own, so that a later attempt may delete
	// whatever an earlier one left.
	Prefix string `json:"prefix"`
	// Results are the ids of the stored results of the steps finished so far.
	Results []string `json:"results,omitempty"`
	// Samples are the last liveSamples per-second samples of the step SamplesStep (counted
	// from 1), oldest first, for a live chart while the run goes on.
	Samples     []benchrunner.Sample `json:"samples,omitempty"`
	SamplesStep int                  `json:"samples_step,omitempty"`
}

// liveSamples bounds the samples a benchmark's progress carries: two minutes of the run keep
// the job record small (a few tens of KiB) however long the run is.
const liveSamples = 120

// benchmarkResult is the result of a "benchmark" job: the stored results (one per step, each
// with the step's report as its figures) and the verdict when a profile was named.
type benchmarkResult struct {
	Profile string        `json:"profile"`
	Results []string      `json:"results"`
	Partial bool          `json:"partial,omitempty"`
	Verdict *slo.Verdict  `json:"verdict,omitempty"`
	Cleanup *cleanupState `json:"cleanup,omitempty"`
}

func (d Deps) benchmarkKind() jobs.Kind {
	return jobs.Kind{
		// Load on a cluster is an operation on it: admin, one at a time per cluster (two
		// benchmarks at once measure each other).
		Name: KindBenchmark, Role: "admin", Cluster: true, Mutating: true,
		Validate: func(raw json.RawMessage) error { _, err := d.parseBenchmarkParams("", raw); return err },
		Admit:    d.admitBenchmark,
		Handler:  d.benchmark,
		Options:  jobs.HandleOptions{ExclusivePerCluster: true},
	}
}

// admitBenchmark refuses a profile the cluster does not offer (InvalidParameters) and a
// benchmark of a protected cluster unless it is forced.
func (d Deps) admitBenchmark(cluster string, raw json.RawMessage) error {
	p, err := d.parseBenchmarkParams(cluster, raw)
	if err != nil {
		// A profile another cluster offers, not this one: a bad parameter, not a refusal.
		return jobs.InvalidParameters(err)
	}
	if d.Protected != nil && d.Protected(cluster) && !p.Force {
		return fmt.Errorf("cluster %q %w: a benchmark on it needs force: true (and the admin role)", cluster, ErrProtected)
	}
	return nil
}

// BenchmarkPrefix is the key prefix of the benchmark job id: under the engine's dedicated
// prefix and the job's own, so keys found there are always this job's to delete.
func BenchmarkPrefix(jobID string) string {
	return benchrunner.DefaultPrefix + "job-" + jobID + "/"
}

// benchmark runs the job's profile (or custom command) against its cluster, stores each
// step's report as a result, and returns their ids with the verdict. A run cut short (the
// cluster lost, a cancel) stores its partial report too; keys it could not delete are
// deleted once the cluster answers again, for as long as Deps.CleanupWait allows.
func (d Deps) benchmark(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
	params, err := d.parseBenchmarkParams(run.Job.Cluster, run.Job.Parameters)
	if err != nil {
		return nil, err
	}
	if err := d.admitBenchmark(run.Job.Cluster, run.Job.Parameters); err != nil {
		return nil, err
	}
	if d.Results == nil {
		return nil, errors.New("no history store to keep benchmark results in")
	}
	prof := params.resolved
	conn, release, err := d.cluster(run.Job.Cluster)
	if err != nil {
		return nil, err
	}
	defer release()
	client, err := conn.Config().ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", run.Job.Cluster, err)
	}
	prefix := BenchmarkPrefix(run.Job.ID)
	// An earlier attempt of this job (its worker died, or its cluster went away) may have
	// left keys under the job's prefix; they are the job's own.
	if run.Job.Attempts > 1 {
		if _, err := benchrunner.Cleanup(ctx, client, prefix); err != nil {
			return nil, fmt.Errorf("delete the keys of the previous attempt under %q: %w", prefix, err)
		}
	}

	prog := &progressWriter{run: run, p: benchmarkProgress{State: "running", Profile: prof.Name, Steps: len(prof.Runs), Prefix: prefix}}
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	prog.fenced = func(err error) { stop(err) }
	if err := prog.save(ctx, func(p *benchmarkProgress) { p.Step, p.Command = 1, prof.Runs[0].Command }); err != nil {
		return nil, err
	}
	reports, runErr := slo.ExecuteObserved(runCtx, prof, client, prefix, slo.Observer{
		Progress: func(step int, done, total int64) {
			prog.update(runCtx, func(p *benchmarkProgress) {
				p.Step, p.Command, p.Done, p.Total = step+1, prof.Runs[step].Command, done, total
			})
		},
		// Kept for the next progress write (about a second away) rather than written each.
		Sample: prog.addSample,
	})
	if cause := context.Cause(runCtx); errors.Is(cause, store.ErrFenced) {
		return nil, cause
	}

	out := benchmarkResult{Profile: prof.Name}
	var verdict store.Verdict
	if params.Profile != "" {
		v := slo.Judge(prof, reports)
		out.Verdict = &v
		verdict = store.VerdictFail
		if v.Pass {
			verdict = store.VerdictPass
		}
	}
	for i, rep := range reports {
		out.Partial = out.Partial || rep.Partial
		res, err := d.Results.SaveResult(context.WithoutCancel(ctx), benchmarkStoreResult(run.Job, params, prof, i, rep, verdict))
		if err != nil {
			return nil, fmt.Errorf("store the report of step %d: %w", i+1, err)
		}
		out.Results = append(out.Results, res.ID)
	}
	_ = prog.save(context.WithoutCancel(ctx), func(p *benchmarkProgress) { p.Results = out.Results })

	if len(reports) > 0 && (runErr != nil || out.Partial) {
		// The engine deletes its keys when it stops; when the cluster was gone it could not.
		// Without a report the load never started (no connection, the prefix refused): no key
		// of the job's was written.
		out.Cleanup = d.cleanupAfter(ctx, prog, client, prefix)
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	switch {
	case runErr != nil && len(out.Results) == 0:
		return nil, fmt.Errorf("benchmark of cluster %s: %w", run.Job.Cluster, runErr)
	case runErr != nil:
		return nil, fmt.Errorf("%w (partial report stored as %s%s)", runErr, strings.Join(out.Results, ", "), out.Cleanup.suffix())
	}
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	return raw, nil
}

// progressWriter writes a benchmark's progress to the job's record under the attempt's fence.
type progressWriter struct {
	run    *jobs.Run
	mu     sync.Mutex
	p      benchmarkProgress
	fenced func(error)
}

// save changes the progress and writes it now; a fenced write (another worker holds the job)
// stops the run.
func (w *progressWriter) save(ctx context.Context, change func(*benchmarkProgress)) error {
	w.mu.Lock()
	change(&w.p)
	raw, _ := json.Marshal(w.p)
	w.mu.Unlock()
	err := w.run.SaveProgress(ctx, raw)
	if errors.Is(err, store.ErrFenced) && w.fenced != nil {
		w.fenced(err)
	}
	return err
}

// addSample keeps a step's closed second, the step's last liveSamples only; a new step's
// first sample replaces the previous step's.
func (w *progressWriter) addSample(step int, s benchrunner.Sample) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.p.SamplesStep != step+1 {
		w.p.Samples, w.p.SamplesStep = nil, step+1
	}
	if len(w.p.Samples) == liveSamples {
		w.p.Samples = append(w.p.Samples[:0], w.p.Samples[1:]...)
	}
	w.p.Samples = append(w.p.Samples, s)
}

// update writes the engine's progress; a store that does not answer loses this second's
// progress, not the run (the heartbeat writes the next).
func (w *progressWriter) update(ctx context.Context, change func(*benchmarkProgress)) {
	if err := w.save(ctx, change); err != nil && !errors.Is(err, store.ErrFenced) {
		w.mu.Lock()
		raw, _ := json.Marshal(w.p)
		w.mu.Unlock()
		w.run.Progress(raw)
	}
}
