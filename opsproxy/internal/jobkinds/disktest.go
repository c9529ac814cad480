package jobkinds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// KindDiskTest is the kind of a disk test: a probe by the diskprobe agent on the host of one
// member, or of each member with an agent, one after another.
const KindDiskTest = "disktest"

// disktestProgress is the progress of a "disktest" job, written to its record before each
// member's probe and after each stored result.
type disktestProgress struct {
	// Member is the member being probed (the last one once all are done).
	Member string `json:"member"`
	// Done counts the members finished (stored or failed) out of Total.
	Done  int `json:"done"`
	Total int `json:"total"`
	// Results are the members probed so far with their stored result, so that a worker that
	// takes the job over does not probe them again.
	Results []disktestMemberResult `json:"results,omitempty"`
}

// disktestMemberResult is one member's stored result in a disk test's progress and result.
type disktestMemberResult struct {
	Member  string        `json:"member"`
	Result  string        `json:"result"`
	Verdict store.Verdict `json:"verdict,omitempty"`
}

// disktestResult is the result of a "disktest" job: the stored results, one per member, and
// the overall verdict (fail when any member's is).
type disktestResult struct {
	Results []string               `json:"results"`
	Members []disktestMemberResult `json:"members"`
	Verdict store.Verdict          `json:"verdict"`
}

func (d Deps) disktestKind() jobs.Kind {
	return jobs.Kind{
		// A probe writes on the members' disks and measures them: admin, one disk test at a
		// time per cluster (two at once measure each other).
		Name: KindDiskTest, Role: "admin", Cluster: true, Mutating: true,
		Validate: func(raw json.RawMessage) error { _, err := parseDisktestParams(raw); return err },
		Admit:    d.admitDisktest,
		Handler:  d.disktest,
		Options:  jobs.HandleOptions{ExclusivePerCluster: true},
	}
}

// disktest asks each chosen member's agent for a probe, one after another, and stores each
// result. A member whose agent fails (down, busy, over its budget) does not stop the others;
// the job then fails naming each failed member, its agent's URL and the results stored. A
// cancel cancels the probe under way: the agent stops it and removes its directory.
func (d Deps) disktest(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
	p, err := parseDisktestParams(run.Job.Parameters)
	if err != nil {
		return nil, err
	}
	agents, err := d.disktestAgents(run.Job.Cluster, p)
	if err != nil {
		return nil, err
	}
	if d.Results == nil {
		return nil, errors.New("no history store to keep disk test results in")
	}
	prog := disktestProgress{Total: len(agents)}
	if run.Job.Attempts > 1 {
		// The members an earlier attempt stored are done; the one it was probing is probed
		// again (a probe cut short by a lost worker left no result).
		var prev disktestProgress
		if json.Unmarshal(run.Job.Progress, &prev) == nil {
			prog.Results = prev.Results
		}
	}
	save := func() error {
		raw, _ := json.Marshal(prog)
		return run.SaveProgress(ctx, raw)
	}
	var failures []string
	for _, a := range agents {
		if slices.ContainsFunc(prog.Results, func(r disktestMemberResult) bool { return r.Member == a.Member }) {
			prog.Done++
			continue
		}
		prog.Member = a.Member
		if err := save(); err != nil {
			return nil, fmt.Errorf("record the probe of member %s: %w", a.Member, err)
		}
		res, err := d.probe(ctx, a, p)
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		if err != nil {
			d.Logger.Warn("disk test failed", "cluster", run.Job.Cluster, "member", a.Member, "job", run.Job.ID, "err", err)
			failures = append(failures, err.Error())
			prog.Done++
			continue
		}
		stored, err := d.Results.SaveResult(context.WithoutCancel(ctx), disktestStoreResult(run.Job, p, a, res))
		if err != nil {
			return nil, fmt.Errorf("store the disk test of member %s: %w", a.Member, err)
		}
		prog.Results = append(prog.Results, disktestMemberResult{Member: a.Member, Result: stored.ID, Verdict: stored.Verdict})
		prog.Done++
		if err := save(); errors.Is(err, store.ErrFenced) {
			return nil, err
		}
	}
	out := disktestResult{Results: []string{}, Members: prog.Results, Verdict: store.VerdictPass}
	for _, r := range prog.Results {
		out.Results = append(out.Results, r.Result)
		if r.Verdict != store.VerdictPass {
			out.Verdict = store.VerdictFail
		}
	}
	if len(failures) > 0 {
		stored := "no result stored"
		if len(prog.Results) > 0 {
			var names []string
			for _, r := range prog.Results {
				names = append(names, r.Member+" as "+r.Result)
			}
			stored = "results stored for " + strings.Join(names, ", ")
		}
		return nil, fmt.Errorf("%s (%s)", strings.Join(failures, "; "), stored)
	}
	return json.Marshal(out)
}
