package slo

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

// prefixCheckTimeout bounds the check that the prefix is empty, as the engine bounds a request.
const prefixCheckTimeout = 10 * time.Second

// Execute runs p's steps one after another with the engine against client, writing under
// prefix (benchrunner.DefaultPrefix when empty), and returns their reports in order for Judge.
// It refuses to start when the prefix holds keys (as check perf does), whatever the first
// step's command; each step deletes its keys when it ends, also when ctx is cancelled. It stops
// at the first step that fails or is cut short, returning the reports so far (the last one
// partial) with the error. progress, when set, gets the step's index and the engine's progress.
func Execute(ctx context.Context, p Profile, client clientv3.Config, prefix string, progress func(step int, done, total int64)) ([]*benchrunner.Report, error) {
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
	if err := ensurePrefixEmpty(ctx, client, prefix); err != nil {
		return nil, err
	}
	var reports []*benchrunner.Report
	for i, s := range p.Runs {
		o := s.Options(prefix)
		o.Client = client
		if progress != nil {
			step := i
			o.Progress = func(done, total int64) { progress(step, done, total) }
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

// ensurePrefixEmpty refuses a prefix that holds keys before any step runs: a read step first
// would not check it, and the keys it found would not be the profile's to delete.
func ensurePrefixEmpty(ctx context.Context, cfg clientv3.Config, prefix string) error {
	if cfg.Context == nil {
		cfg.Context = ctx
	}
	cli, err := clientv3.New(cfg)
	if err != nil {
		return fmt.Errorf("connecting to %v: %w", cfg.Endpoints, err)
	}
	defer cli.Close()
	rctx, cancel := context.WithTimeout(ctx, prefixCheckTimeout)
	defer cancel()
	resp, err := cli.Get(rctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return fmt.Errorf("checking prefix %q: %w", prefix, err)
	}
	if resp.Count > 0 {
		return fmt.Errorf("%w: prefix %q holds %d keys; delete them (etcdctl del --prefix %q) or choose another prefix",
			benchrunner.ErrPrefixInUse, prefix, resp.Count, prefix)
	}
	return nil
}
