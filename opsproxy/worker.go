package opsproxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/etcd-monitor/etcd-monitor/internal/store/open"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobqueue"
)

// DefaultWorkerCount is how many jobs `etcd-monitor worker` runs at once when neither
// --workers nor queue.workers says (queue.workers 0 means "this opsproxy only enqueues").
const DefaultWorkerCount = 2

// WorkerCommand is `etcd-monitor worker`: a process that runs the jobs of the Redis queue an
// opsproxy configuration names, with the same kinds as opsproxy, and serves /metrics and
// /-/healthy.
type WorkerCommand struct {
	cmd        *kingpin.CmdClause
	configFile string
	workers    int
	webFlags   *web.FlagConfig
}

// RegisterWorkerCommand adds the worker subcommand and its flags to the application.
func RegisterWorkerCommand(app *kingpin.Application) *WorkerCommand {
	c := &WorkerCommand{}
	c.cmd = app.Command("worker", "Run the jobs of the Redis queue of an opsproxy configuration (queue.redis_url).")
	c.cmd.Flag("config.file", "opsproxy configuration file (the worker reads clusters, store, audit and queue).").Default("opsproxy.yml").StringVar(&c.configFile)
	c.cmd.Flag("config", "Same as --config.file.").Hidden().StringVar(&c.configFile)
	c.cmd.Flag("workers", "Jobs run at once (default: queue.workers, or 2 when that is 0).").IntVar(&c.workers)
	c.webFlags = kingpinflag.AddFlags(c.cmd, ":9981")
	return c
}

// FullCommand is "worker".
func (c *WorkerCommand) FullCommand() string { return c.cmd.FullCommand() }

// Run runs the worker until ctx ends (SIGTERM: running jobs finish within the grace period or
// are handed back to the queue) and returns the exit code.
func (c *WorkerCommand) Run(ctx context.Context, logger *slog.Logger) int {
	cfg, err := LoadConfig(c.configFile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd-monitor worker: %v\n", err)
		return 1
	}
	workers := c.workers
	switch {
	case workers < 0:
		fmt.Fprintln(os.Stderr, "etcd-monitor worker: --workers: must not be negative")
		return 1
	case workers == 0 && cfg.Queue.WorkerCount() > 0:
		workers = cfg.Queue.WorkerCount()
	case workers == 0:
		workers = DefaultWorkerCount
	}
	jobqueue.RouteRedisLog(logger)
	w, err := NewWorker(ctx, cfg, workers, logger, Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd-monitor worker: %v\n", err)
		return 1
	}
	defer w.Close()
	logger.Info("starting etcd-monitor worker", "version", version.Info(), "workers", workers)
	hs := &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(hs, c.webFlags, logger) }()
	select {
	case err := <-errc:
		logger.Error("worker stopped", "err", err)
		return 1
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	logger.Info("stopping: running jobs finish or are handed back")
	return 0
}

// NewWorker builds a worker process's server: the store, the cluster connections and the
// audit log of cfg, and workers workers of its Redis queue running the same kinds as opsproxy
// (jobKinds, and opts.JobKinds), with the scheduler unless queue.scheduler is off. Its handler serves /metrics and /-/healthy only. It refuses a
// configuration without queue.redis_url: the in-process queue belongs to one opsproxy.
func NewWorker(ctx context.Context, cfg *Config, workers int, logger *slog.Logger, opts Options) (*Server, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if cfg.Queue.RedisURL == "" {
		return nil, errors.New("queue.redis_url: required by etcd-monitor worker (without it the queue is in-process: opsproxy runs the jobs itself)")
	}
	if workers <= 0 {
		return nil, errors.New("workers: must be greater than 0")
	}
	s := &Server{logger: logger, store: opts.Store, drillCommand: opts.DrillCommand}
	s.core = core.New(&core.State{Cfg: cfg})
	if s.store == nil {
		st, err := open.Store(ctx, cfg.Store, logger)
		if err != nil {
			return nil, err
		}
		s.store, s.ownStore = st, true
	}
	clusters, _, err := conns.Connect(cfg, nil, logger)
	if err != nil {
		s.Close()
		return nil, err
	}
	co := s.core
	co.SetState(&core.State{Cfg: cfg, Clusters: clusters})
	co.Logger, co.Store = logger, s.store
	if s.auditLog, err = auditlog.Open(s.store, cfg.Audit.Seal); err != nil {
		s.Close()
		return nil, fmt.Errorf("audit: %w", err)
	}
	// No spool: a record of a job's start or outcome that cannot be committed is logged.
	co.Audit = auditlog.New(s.auditLog, cfg.Audit, logger, auditlog.Hooks{}, auditlog.Outage{})
	s.jobs, err = jobqueue.Start(jobqueue.Options{Config: cfg.Queue, Store: s.store, Kinds: append(jobKinds(s), opts.JobKinds...),
		Workers: workers, Audit: co.Audit, ScheduleClock: opts.ScheduleClock, Logger: logger})
	if err != nil {
		s.Close()
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(versioncollector.NewCollector("etcd_monitor_worker"), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), s.jobs.Metrics)
	if s.jobs.ScheduleMetrics != nil {
		reg.MustRegister(s.jobs.ScheduleMetrics)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, r *http.Request) {
		apihttp.WriteJSON(w, http.StatusOK, map[string]any{"status": "ok", "queue": s.jobs.Queue.Name(), "workers": workers})
	})
	s.handler = mux
	return s, nil
}
