package jobqueue

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// Options say what to build.
type Options struct {
	Config config.QueueConfig
	Store  store.JobStore
	// Kinds are the job kinds this process enqueues and runs.
	Kinds []jobs.Kind
	// Workers is how many jobs this process runs at once (0: none, it only enqueues).
	Workers int
	// Audit records each job's start and outcome.
	Audit  *auditlog.Auditor
	Logger *slog.Logger
}

// Runtime is a process's job queue and its workers.
type Runtime struct {
	Queue   jobs.Queue
	Metrics *jobs.Metrics
	Kinds   []jobs.Kind

	client *redis.Client
	cancel context.CancelFunc
	done   chan struct{}
}

// Start opens the queue and starts Workers workers of it, with the reconciler. The Redis
// queue does not contact Redis here: a process started while Redis is down serves, and its
// workers connect when Redis is back.
func Start(o Options) (*Runtime, error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	vis := time.Duration(o.Config.VisibilityTimeout)
	qopts := jobs.Options{VisibilityTimeout: vis, MaxAttempts: o.Config.MaxAttempts}
	rt := &Runtime{Kinds: o.Kinds, done: make(chan struct{})}
	if o.Config.RedisURL != "" {
		ropts, err := o.Config.RedisOptions()
		if err != nil {
			return nil, err
		}
		rt.client = redis.NewClient(ropts)
		rt.Queue = jobs.NewRedisQueue(rt.client, o.Config.Stream, jobs.RedisOptions{Options: qopts, Group: o.Config.Group})
	} else {
		rt.Queue = jobs.NewMemQueue(o.Config.Stream, qopts)
	}
	names := make([]string, 0, len(o.Kinds))
	for _, k := range o.Kinds {
		names = append(names, k.Name)
	}
	rt.Metrics = jobs.NewMetrics(rt.Queue, o.Store, o.Workers, names)
	if o.Workers == 0 {
		if rt.client == nil {
			logger.Warn("queue.workers is 0 and the queue is in-process (no queue.redis_url): jobs are recorded and queued, but no process runs them")
		}
		close(rt.done)
		return rt, nil
	}
	ropts := jobs.RunnerOptions{
		Workers:           o.Workers,
		Heartbeat:         vis / 3,
		ReconcileInterval: 2 * vis,
		Reconcile:         jobs.ReconcileOptions{OnPass: rt.Metrics.ObservePass},
		Logger:            logger,
		OnEvent: func(e jobs.Event) {
			rt.Metrics.Observe(e)
			recordEvent(o.Audit, o.Kinds, e)
		},
	}
	if rt.client != nil {
		ropts.Limiter = jobs.NewRedisLimiter(rt.client, "etcd-monitor:jobs:"+o.Config.Stream+":locks:")
	}
	runner := jobs.NewRunner(rt.Queue, o.Store, ropts)
	runner.HandleKinds(o.Kinds)
	ctx, cancel := context.WithCancel(context.Background())
	rt.cancel = cancel
	go func() {
		defer close(rt.done)
		_ = runner.Run(ctx)
	}()
	logger.Info("job workers started", "queue", rt.Queue.Name(), "redis", rt.client != nil, "workers", o.Workers)
	return rt, nil
}

// Kind returns the kind called name.
func (rt *Runtime) Kind(name string) (jobs.Kind, bool) {
	for _, k := range rt.Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return jobs.Kind{}, false
}

// Close stops the workers, letting running jobs finish within the runner's grace period and
// handing the others back to the queue, then closes the queue.
func (rt *Runtime) Close() error {
	if rt.cancel != nil {
		rt.cancel()
	}
	<-rt.done
	err := rt.Queue.Close()
	if rt.client != nil {
		if cerr := rt.client.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	return nil
}
