package agent

import (
	"context"
	"errors"
	"time"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
)

// Run runs the scheduled probes until ctx ends: the first within Jitter×Interval of the call,
// then one every Interval ± Jitter×Interval. A probe due while another runs, or that would
// exceed the I/O budget, is skipped (refused_total says so) and the next one is scheduled as
// usual. When ctx ends, a running scheduled probe is stopped and its directory removed; Run
// returns nil then.
func (a *Agent) Run(ctx context.Context) error {
	a.logger.Info("scheduled probes", "dir", a.cfg.Dir, "interval", a.cfg.Interval, "jitter", a.cfg.Jitter,
		"profile", a.cfg.Job.Profile, "bytes", a.cfg.Job.Size, "block_size", a.cfg.Job.BlockSize,
		"max_bytes_per_hour", a.cfg.MaxBytesPerHour)
	wait := a.firstWait()
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		a.scheduledProbe(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait = a.nextWait()
	}
}

// scheduledProbe runs one scheduled probe and logs why it did not run, if it did not.
func (a *Agent) scheduledProbe(ctx context.Context) {
	opts := diskprobe.Options{Dir: a.cfg.Dir, WALDir: a.cfg.WALDir, Engine: a.cfg.Engine, Job: a.cfg.Job, Threshold: a.cfg.Threshold, FioPath: a.cfg.FioPath}
	_, err := a.probe(ctx, triggerSchedule, opts)
	var busy *busyError
	var over *budgetError
	switch {
	case err == nil, ctx.Err() != nil:
	case errors.As(err, &busy):
		a.logger.Info("scheduled probe skipped: another probe runs", "running", busy.running.trigger, "since", busy.running.startedAt)
	case errors.As(err, &over):
		a.logger.Warn("scheduled probe skipped: it would exceed the I/O budget", "err", err)
	default:
		a.logger.Error("scheduled probe failed", "err", err)
	}
}

// firstWait spreads the first probes of agents started together over Jitter×Interval.
func (a *Agent) firstWait() time.Duration {
	return time.Duration(a.rand() * a.cfg.Jitter * float64(a.cfg.Interval))
}

// nextWait is Interval ± Jitter×Interval, uniformly.
func (a *Agent) nextWait() time.Duration {
	return time.Duration(float64(a.cfg.Interval) * (1 + a.cfg.Jitter*(2*a.rand()-1)))
}
