package slo

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

// Execute runs p's steps one after another with the engine against client, writing under
// prefix (benchrunner.DefaultPrefix when empty), and returns their reports in order for Judge.
// It refuses to start when the prefix holds keys (as check perf does), whatever the first
// step's command; each step deletes its keys when it ends, also when ctx is cancelled. It stops
// at the first step that fails or is cut short, returning the reports so far (the last one
// partial) with the error. progress, when set, gets the step's index and the engine's progress.
func Execute(ctx context.Context, p Profile, client clientv3.Config, prefix string, progress func(step int, done, total int64)) ([]*benchrunner.Report, error) {
	return ExecuteObserved(ctx, p, client, prefix, Observer{Progress: progress})
}

// Observer follows a profile's execution; either callback may be nil.
type Observer struct {
	// Progress gets the step's index and the engine's progress, about once a second.
	Progress func(step int, done, total int64)
	// Sample gets the step's index and each second's sample as it closes (Options.OnSample).
	Sample func(step int, s benchrunner.Sample)
}

// ExecuteObserved is Execute with the per-second samples too, for a live view of the run.
func ExecuteObserved(ctx context.Context, p Profile, client clientv3.Config, prefix string, obs Observer) ([]*benchrunner.Report, error) {
	if len(p.Runs) == 0 {
		return nil, fmt.Errorf("profile %q: has no runs", p.Name)
	}
	if prefix == "" {
		prefix = benchrunner.DefaultPrefix
	}
	for i, s := range p.Runs {
		if err := benchrunner.Validate(s.Options(prefix)); err != nil {
			return nil, fmt.Errorf("profile %q run %d (%s): %w", p.Name, i+1, s.Command, err)
		}
	}
	if err := benchrunner.EnsurePrefixEmpty(ctx, client, prefix); err != nil {
		return nil, err
	}
	var reports []*benchrunner.Report
	for i, s := range p.Runs {
		o := s.Options(prefix)
		o.Client = client
		step := i
		if obs.Progress != nil {
			o.Progress = func(done, total int64) { obs.Progress(step, done, total) }
		}
		if obs.Sample != nil {
			o.OnSample = func(s benchrunner.Sample) { obs.Sample(step, s) }
		}
		rep, err := benchrunner.Run(ctx, o)
		if rep != nil {
			reports = append(reports, rep)
		}
		if err != nil {
			return reports, fmt.Errorf("profile %q run %d (%s): %w", p.Name, i+1, s.Command, err)
		}
		if rep.Partial {
			return reports, nil
		}
	}
	return reports, nil
}
