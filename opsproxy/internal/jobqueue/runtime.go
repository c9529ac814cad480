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
	Store  jobs.SchedulerStore
	// Kinds are the job kinds this process enqueues and runs.
	Kinds []jobs.Kind
	// Workers is how many jobs this process runs at once (0: none, it only enqueues).
	Workers int
	// Audit records each job's start and outcome.
	Audit *auditlog.Auditor
	// ScheduleClock is the scheduler's clock (default time.Now); tests move it forward.
	ScheduleClock func() time.Time
	Logger        *slog.Logger
}

// Runtime is a process's job queue and its workers.
type Runtime struct {
	Queue jobs.Queue
	// Records are the job records for enqueues: the store's, with CreateJob group-committed
	// (concurrent enqueues share one transaction).
	Records *store.JobWriter
	Metrics *jobs.Metrics
	// ScheduleMetrics are the scheduler's; nil when queue.scheduler is off.
	ScheduleMetrics *jobs.ScheduleMetrics
	Kinds           []jobs.Kind

	client *redis.Client
	cancel context.CancelFunc
	// done is closed when the workers have stopped, scheduled when the scheduler has.
	done      chan struct{}
	scheduled chan struct{}
}

// Start opens the queue and starts Workers workers of it, with the reconciler, and the
// scheduler unless queue.scheduler is off. The Redis queue does not contact Redis here: a
// process started while Redis is down serves, and its workers connect when Redis is back.
func Start(o Options) (*Runtime, error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	vis := time.Duration(o.Config.VisibilityTimeout)
	qopts := jobs.Options{VisibilityTimeout: vis, MaxAttempts: o.Config.MaxAttempts}
	rt := &Runtime{Kinds: o.Kinds, done: make(chan struct{}), scheduled: make(chan struct{}),
		Records: store.NewJobWriter(o.Store, store.JobWriterOptions{})}
	if o.Config.RedisURL != "" {
		ropts, err := o.Config.RedisOptions()
		if err != nil {
			_ = rt.Records.Close()
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
	ctx, cancel := context.WithCancel(context.Background())
	rt.cancel = cancel
	rt.startScheduler(ctx, o, logger)
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
		ropts.Limiter = jobs.NewRedisLimiter(rt.client, KeyPrefix(o.Config)+"locks:")
	}
	runner := jobs.NewRunner(rt.Queue, o.Store, ropts)
	runner.HandleKinds(o.Kinds)
	go func() {
		defer close(rt.done)
		_ = runner.Run(ctx)
	}()
	logger.Info("job workers started", "queue", rt.Queue.Name(), "redis", rt.client != nil, "workers", o.Workers)
	return rt, nil
}

// startScheduler runs the scheduler of the schedules in the store when queue.scheduler is
// on: it submits the job of each due slot to the queue, once per slot across every process
// sharing the store, until ctx ends.
func (rt *Runtime) startScheduler(ctx context.Context, o Options, logger *slog.Logger) {
	if !o.Config.SchedulerOn() {
		close(rt.scheduled)
		logger.Info("queue.scheduler is off: this process fires no scheduled jobs")
		return
	}
	rt.ScheduleMetrics = jobs.NewScheduleMetrics()
	sched := jobs.NewScheduler(o.Store, rt.Queue, o.Kinds, jobs.SchedulerOptions{
		Interval: time.Duration(o.Config.ScheduleInterval), Now: o.ScheduleClock, Metrics: rt.ScheduleMetrics, Logger: logger})
	go func() {
		defer close(rt.scheduled)
		sched.Run(ctx)
	}()
}

// Redis is the queue's Redis client, nil when the queue is in-process.
func (rt *Runtime) Redis() *redis.Client { return rt.client }

// KeyPrefix starts every Redis key of the queue q names.
func KeyPrefix(q config.QueueConfig) string { return "etcd-monitor:jobs:" + q.Stream + ":" }

// Kind returns the kind called name.
func (rt *Runtime) Kind(name string) (jobs.Kind, bool) {
	for _, k := range rt.Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return jobs.Kind{}, false
}

// Close stops the scheduler and the workers, letting running jobs finish within the runner's
// grace period and handing the others back to the queue, then creates the jobs Records holds
// and closes the queue.
func (rt *Runtime) Close() error {
	if rt.cancel != nil {
		rt.cancel()
	}
	<-rt.scheduled
	<-rt.done
	_ = rt.Records.Close()
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
