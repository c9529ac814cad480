package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
)

// Agent runs probes in its directory, one at a time, within its I/O budget, and keeps their
// figures for /metrics and /probe/last.
type Agent struct {
	cfg     Config
	logger  *slog.Logger
	handler http.Handler
	started time.Time
	// now and rand are the clock and the jitter source; tests replace them.
	now  func() time.Time
	rand func() float64

	mu      sync.Mutex
	running *running
	budget  budget
	stats   map[string]*stats
	last    *diskprobe.Result
}

// running is the probe in progress.
type running struct {
	trigger   string
	startedAt time.Time
	job       diskprobe.Job
}

// busyError is a probe refused because another one runs.
type busyError struct{ running running }

func (e *busyError) Error() string {
	return fmt.Sprintf("a %s probe (%s, %s in %s writes) has been running since %s; one probe runs at a time",
		e.running.trigger, e.running.job.Profile, diskprobe.FormatBytes(e.running.job.Size), diskprobe.FormatBytes(e.running.job.BlockSize),
		e.running.startedAt.UTC().Format(time.RFC3339))
}

// New validates cfg (zero fields take their defaults) and returns an agent whose metrics are
// registered with reg. It starts nothing: serve Handler and call Run for the scheduled probes.
func New(cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Agent, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("diskprobe agent: %w", err)
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("diskprobe agent: %w", err)
	}
	a := &Agent{
		cfg: cfg, logger: logger, now: time.Now, rand: rand.Float64,
		budget: budget{max: cfg.MaxBytesPerHour},
		stats:  map[string]*stats{triggerSchedule: newStats(), triggerDemand: newStats()},
	}
	a.started = a.now()
	if reg != nil {
		if err := reg.Register(collector{a}); err != nil {
			return nil, fmt.Errorf("diskprobe agent: register metrics: %w", err)
		}
	}
	if per := cfg.scheduledBytesPerHour(); per > cfg.MaxBytesPerHour/2 {
		logger.Warn("the scheduled probes alone use more than half of the I/O budget; on-demand probes may be refused",
			"scheduled_bytes_per_hour", per, "max_bytes_per_hour", cfg.MaxBytesPerHour)
	}
	a.handler = a.routes(reg)
	return a, nil
}

// Handler serves GET /metrics (when New was given a registry that is also a Gatherer),
// POST /probe, GET /probe/last and GET /-/healthy.
func (a *Agent) Handler() http.Handler { return a.handler }

// probe runs one probe of trigger with opts, unless another one runs (*busyError) or it would
// exceed the I/O budget (*budgetError). The probe stops when ctx ends; the engine removes its
// directory then too. A time-based job (opts.Job.Duration) must use the native engine: it
// reserves what is left of the budget and is stopped before it writes more.
func (a *Agent) probe(ctx context.Context, trigger string, opts diskprobe.Options) (diskprobe.Result, error) {
	timeBased := opts.Job.Duration > 0
	a.mu.Lock()
	st := a.stats[trigger]
	if a.running != nil {
		st.refused[reasonBusy]++
		err := &busyError{running: *a.running}
		a.mu.Unlock()
		return diskprobe.Result{}, err
	}
	reserve := a.budget.reserve
	if timeBased {
		reserve = a.budget.reserveRest
	}
	// A time-based job needs at least one pass over its file.
	reservation, err := reserve(a.now(), writeBytes(opts.Job))
	if err != nil {
		st.refused[reasonBudget]++
		a.mu.Unlock()
		return diskprobe.Result{}, err
	}
	a.running = &running{trigger: trigger, startedAt: a.now(), job: opts.Job}
	limit := reservation.bytes
	a.mu.Unlock()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	opts.Logger = a.logger
	if timeBased && !capBytes(ctx, limit, cancel) {
		cancel(fmt.Errorf("%w: the agent cannot count its written bytes on this platform", errBudgetCap))
	}
	res, err := diskprobe.Run(ctx, opts)
	capped := errors.Is(context.Cause(ctx), errBudgetCap)
	if capped && res.Verdict != "" {
		// Stopped by the budget, not by the caller: the figures of what ran stand.
		res.Warnings = append(res.Warnings, context.Cause(ctx).Error())
		err = nil
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	a.running = nil
	a.budget.settle(reservation, a.now(), res.Bytes)
	st.bytes += uint64(max(res.Bytes, 0))
	result := outcome(ctx, capped, res, err)
	st.runs[result]++
	if result == resultPass || result == resultFail {
		st.lastRun = float64(res.FinishedAt.UnixNano()) / 1e9
		st.lastP99 = res.Sync.Percentiles["99"]
		st.lastVerdict = 0
		if result == resultPass {
			st.lastVerdict = 1
		}
		if err := addSyncs(st, res.Sync); err != nil {
			a.logger.Warn("the probe's sync histogram could not be read; /metrics misses its syncs", "err", err)
		}
		last := res
		a.last = &last
	}
	a.logger.Info("probe finished", "trigger", trigger, "result", result, "profile", opts.Job.Profile, "engine", opts.Engine,
		"p99_seconds", res.Sync.Percentiles["99"], "syncs", res.Syncs, "bytes", res.Bytes, "err", err)
	return res, err
}

// writeBytes is what a size-based job writes: whole blocks only, as the engines write.
func writeBytes(j diskprobe.Job) int64 { return j.Writes() * j.BlockSize }

// outcome names a probe's result for runs_total: cancelled when its caller (or the agent's
// shutdown) stopped it, error when it failed or has no verdict, else its verdict.
func outcome(ctx context.Context, capped bool, res diskprobe.Result, err error) string {
	switch {
	case ctx.Err() != nil && !capped:
		return resultCancelled
	case err != nil || res.Verdict == "":
		return resultError
	case res.Verdict == "pass":
		return resultPass
	default:
		return resultFail
	}
}

// lastResult returns the last probe that reached a verdict, or nil.
func (a *Agent) lastResult() *diskprobe.Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}
