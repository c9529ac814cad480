package jobkinds

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/defrag"
)

// KindDefragment is the kind of a cluster-wide ordered defragmentation.
const KindDefragment = "defragment"

func (d Deps) defragmentKind() jobs.Kind {
	return jobs.Kind{
		Name: KindDefragment, Role: "admin", Cluster: true, Mutating: true,
		Validate: func(raw json.RawMessage) error { _, _, err := parseDefragParams(raw); return err },
		Handler:  d.defragment,
		Options:  jobs.HandleOptions{ExclusivePerCluster: true},
	}
}

// defragment defragments the members that need it, one at a time, followers first and the
// leader last, each after a health check of the whole cluster and followed by its own. Each
// member's step is on record under the attempt's fencing token before it is taken; an attempt
// that takes the job over keeps the members done and waits for one that was running.
func (d Deps) defragment(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
	params, rule, err := parseDefragParams(run.Job.Parameters)
	if err != nil {
		return nil, err
	}
	conn, release, err := d.cluster(run.Job.Cluster)
	if err != nil {
		return nil, err
	}
	defer release()
	states, err := conn.MemberStates(ctx)
	if err != nil {
		return nil, fmt.Errorf("member list: %w", err)
	}
	plan, err := planSteps(states, params.Members, previousSteps(run.Job.Progress))
	if err != nil {
		return nil, err
	}
	prog := &defragProgress{Fence: run.Job.Fence, DryRun: params.DryRun, Rule: rule.String(), Members: plan}
	if params.DryRun {
		d.dryRun(ctx, conn, run.Job.Cluster, prog, rule, params.AssumeDiskRoom)
		run.Progress(prog.json())
		return prog.json(), nil
	}
	if err := run.SaveProgress(ctx, prog.json()); err != nil {
		return nil, err
	}
	if prog.interrupted() {
		// The previous attempt's member may still be defragmenting: it answers no health check
		// until it is done.
		if _, err := d.clusterHealthy(ctx, conn, d.DefragTimeout); err != nil {
			return nil, fmt.Errorf("waiting for the member the previous attempt was defragmenting: %w; done: %s", err, prog.doneMembers())
		}
	}
	for i := range prog.Members {
		if err := d.defragmentStep(ctx, conn, run, prog, i, rule, params.AssumeDiskRoom); err != nil {
			return nil, err
		}
	}
	return prog.json(), nil
}

// planSteps orders the selected members (followers first, the leader last) and keeps the
// steps a previous attempt finished.
func planSteps(states []conns.EndpointState, ids []string, prev map[string]memberStep) ([]memberStep, error) {
	if len(ids) > 0 {
		byID := map[string]conns.EndpointState{}
		for _, st := range states {
			byID[st.ID] = st
		}
		picked := make([]conns.EndpointState, 0, len(ids))
		for i, id := range ids {
			st, ok := byID[id]
			if !ok {
				return nil, fmt.Errorf("members[%d]: no member %s in the cluster", i, id)
			}
			picked = append(picked, st)
		}
		states = picked
	}
	defrag.FollowersFirst(states)
	plan := make([]memberStep, len(states))
	for i, st := range states {
		step := memberStep{ID: st.ID, Name: st.Member, Endpoint: st.Endpoint, State: statePending}
		if step.Name == "" { // a member that did not answer, known by its endpoint only
			step.Name = st.Endpoint
		}
		if st.Status != nil {
			step.Leader, step.DBSizeBefore = st.Status.IsLeader, st.Status.DBSize
		}
		switch p, ok := prev[st.ID]; {
		case ok && p.State == stateDone:
			step = p
		case ok && p.State == stateRunning:
			// Still pending for this attempt, which first waits for the member to be healthy.
			step.Reason = reasonInterrupted
			step.DBSizeBefore = p.DBSizeBefore
		}
		plan[i] = step
	}
	return plan, nil
}

// dryRun marks each member that would be defragmented pending and the others skipped, with why.
func (d Deps) dryRun(ctx context.Context, conn *conns.Conn, cluster string, prog *defragProgress, rule *defrag.Rule, assume bool) {
	for i := range prog.Members {
		step := &prog.Members[i]
		if step.State == stateDone {
			continue
		}
		sizes, err := d.sizesOf(ctx, conn, step.Endpoint)
		if err != nil {
			step.State, step.Reason = stateSkipped, err.Error()
			continue
		}
		step.DBSizeBefore = sizes.DBSize
		if need, why := d.need(cluster, step.Name, sizes, rule, assume); !need {
			step.State, step.Reason = stateSkipped, why
			continue
		}
		step.Reason = "would be defragmented: " + describe(sizes)
	}
}

// need says whether a member is to be defragmented: the rule holds and its disk has room.
func (d Deps) need(cluster, member string, s defrag.Sizes, rule *defrag.Rule, assume bool) (bool, string) {
	if !rule.Holds(s) {
		return false, "not needed: the rule does not hold (" + describe(s) + ")"
	}
	return d.roomForCopy(cluster, member, s, assume)
}

func describe(s defrag.Sizes) string {
	return fmt.Sprintf("dbSize=%d dbSizeInUse=%d dbQuota=%d", s.DBSize, s.DBSizeInUse, s.DBQuota)
}

// defragmentStep takes member i's turn. A cancel ends the job before a member, never during
// one: etcd cannot stop a defragmentation that started.
func (d Deps) defragmentStep(ctx context.Context, conn *conns.Conn, run *jobs.Run, prog *defragProgress, i int, rule *defrag.Rule, assume bool) error {
	step := &prog.Members[i]
	if step.State == stateDone {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("stopped before member %s; done: %s: %w", step.Name, prog.doneMembers(), context.Cause(ctx))
	}
	interrupted := step.Reason == reasonInterrupted
	if _, err := d.clusterHealthy(ctx, conn, 0); err != nil {
		return d.fail(ctx, run, prog, step, fmt.Errorf("health check before member %s: %w", step.Name, err))
	}
	sizes, err := d.sizesOf(ctx, conn, step.Endpoint)
	if err != nil {
		return d.fail(ctx, run, prog, step, err)
	}
	if need, why := d.need(run.Job.Cluster, step.Name, sizes, rule, assume); !need {
		step.State, step.Reason, step.Fence = stateSkipped, why, run.Job.Fence
		if interrupted && !rule.Holds(sizes) {
			step.State = stateDone
			step.Reason = "defragmented by the previous attempt: the rule no longer holds (" + describe(sizes) + ")"
			step.DBSizeAfter = sizes.DBSize
		}
		return run.SaveProgress(ctx, prog.json())
	}
	step.State, step.Reason, step.Fence, step.DBSizeBefore = stateRunning, "", run.Job.Fence, sizes.DBSize
	if err := run.SaveProgress(ctx, prog.json()); err != nil {
		return err
	}
	d.Logger.Info("defragmenting member", "cluster", run.Job.Cluster, "member", step.Name, "job", run.Job.ID, "fence", run.Job.Fence)
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.DefragTimeout)
	err = defrag.Member(dctx, conn, step.Endpoint)
	cancel()
	if err != nil {
		return d.fail(ctx, run, prog, step, fmt.Errorf("defragment member %s: %w", step.Name, err))
	}
	st, err := d.memberHealthy(context.WithoutCancel(ctx), conn, *step)
	if err != nil {
		return d.fail(ctx, run, prog, step, err)
	}
	step.State, step.DBSizeAfter = stateDone, st.Status.DBSize
	if err := run.SaveProgress(context.WithoutCancel(ctx), prog.json()); err != nil {
		return err
	}
	if d.Settle > 0 && i < len(prog.Members)-1 {
		select {
		case <-ctx.Done():
		case <-time.After(d.Settle):
		}
	}
	return nil
}

// fail records a member's failure and returns err with the members done so far.
func (d Deps) fail(ctx context.Context, run *jobs.Run, prog *defragProgress, step *memberStep, err error) error {
	step.State, step.Reason, step.Fence = stateFailed, err.Error(), run.Job.Fence
	if serr := run.SaveProgress(context.WithoutCancel(ctx), prog.json()); serr != nil {
		d.Logger.Warn("record a failed member step failed", "job", run.Job.ID, "err", serr)
	}
	return fmt.Errorf("%w; done: %s", err, prog.doneMembers())
}
