package opsproxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/open"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/backupapi"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/benchapi"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobqueue"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/storehealth"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/tokens"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/usercap"
)

// Options tune New. Zero values pick the defaults.
type Options struct {
	// Store is used instead of opening the store the configuration names; Close leaves it open.
	Store store.Store
	// ConfigFile is the file Reload reads again; empty when the configuration was built in code.
	ConfigFile string
	// JobKinds are kinds of job served beside the built-in ones (tests add their own).
	JobKinds []jobs.Kind
	// ScheduleClock is the clock the scheduler compares slots with (default time.Now); tests
	// move it forward instead of waiting for a slot.
	ScheduleClock func() time.Time
	// DrillCommand is how backup drills start their throwaway member (default: this program
	// re-executed as `etcd-monitor backup-drill-member`); tests give the test binary.
	DrillCommand backup.DrillCommand
}

// Server is the opsproxy API server: the core with every API area registered, the
// configuration reloads and the background work. It is safe for concurrent use.
type Server struct {
	core     *core.Core
	logger   *slog.Logger
	store    store.Store
	ownStore bool
	// auditLog is the store's audit log, sealed when audit.signing_key_file is set.
	auditLog *auditlog.Log
	handler  http.Handler

	// drillCommand starts a backup drill's throwaway member.
	drillCommand backup.DrillCommand
	configFile   string
	reloadStatus atomic.Pointer[core.ReloadStatus]
	// reloadMu serialises reloads and Close; under it, retired are the connections reloads
	// took out of service (closed when their last request ends, or by Close), and closed is
	// set by Close.
	reloadMu sync.Mutex
	retired  []*conns.Conn
	closed   bool
	// pruneWake makes the retention loop apply a reloaded audit.retention at once.
	pruneWake chan struct{}
	// health is whether the store answers; spool keeps audit records while it does not.
	health *storehealth.Tracker
	spool  *auditlog.Spool
	// jobs is the job queue, with this process's workers of it.
	jobs *jobqueue.Runtime
	// openWatches and openJobEvents count each user's open watches and job event streams,
	// across the replicas when the queue is on Redis.
	openWatches, openJobEvents *usercap.Counter

	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// Route is one registered method and path, as the OpenAPI file describes it.
type Route = core.Route

// New opens the store (unless opts.Store is set), creates the bootstrap admin token when the
// store has none yet, and starts making a client to every cluster in the background. With etcd
// auth, making a client means logging in, so neither an unreachable cluster nor a wrong password
// stops New: a failed attempt is logged as a warning and retried on the next request to that
// cluster, and requests are answered 502 or 503 with an error naming the cluster (never the
// password) while there is no client. An invalid client configuration (such as an unreadable
// TLS file) is still an error.
func New(ctx context.Context, cfg *Config, logger *slog.Logger, opts Options) (*Server, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	s := &Server{logger: logger, store: opts.Store, configFile: opts.ConfigFile, pruneWake: make(chan struct{}, 1), drillCommand: opts.DrillCommand}
	s.reloadStatus.Store(&core.ReloadStatus{OK: true, LastSuccess: time.Now()})
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
	s.core.SetState(&core.State{Cfg: cfg, Clusters: clusters})
	created, err := tokens.Bootstrap(ctx, s.store, cfg.Auth.BootstrapTokenFile)
	if err != nil {
		s.Close()
		return nil, err
	}
	if created {
		logger.Info("created the bootstrap admin token", "file", cfg.Auth.BootstrapTokenFile)
	}
	bg, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	co := s.core
	co.Logger, co.Store, co.Streams = logger, s.store, bg
	co.Metrics = core.NewMetrics(func() core.ReloadStatus { return *s.reloadStatus.Load() })
	if s.spool, err = auditlog.OpenSpool(cfg.Audit.SpoolDir, cfg.Audit.SpoolMaxBytes); err != nil {
		s.Close()
		return nil, err
	}
	if _, n := s.spool.Stats(); n > 0 {
		logger.Warn("audit spool holds records of an earlier run; shipping them to the history store", "records", n)
	}
	s.health = storehealth.New(func(up bool, err error) {
		if up {
			logger.Info("history store answers again")
			return
		}
		// The driver's text may name the host; it stays in the log.
		logger.Error("history store unavailable: reads go on with cached tokens and a spooled audit, writes are refused", "err", err)
	})
	co.Metrics.RegisterOutage(s.health.Up, s.spool.Stats, s.spool.MaxBytes())
	if !cfg.Audit.Seal.Enabled() {
		logger.Warn("the audit log is not sealed: whoever can write the history store can rewrite it without verification noticing; " +
			"set audit.signing_key_file and audit.witness (docs/security.md)")
	}
	if s.auditLog, err = auditlog.Open(s.store, cfg.Audit.Seal); err != nil {
		s.Close()
		return nil, fmt.Errorf("audit: %w", err)
	}
	co.Audit = auditlog.New(s.auditLog, cfg.Audit, logger, co.Metrics.AuditHooks(), auditlog.Outage{Spool: s.spool, Health: s.health})
	co.Auth = core.NewAuthenticator(s.store, cfg.Auth)
	co.Auth.SetOutage(s.health, co.Metrics.TokenStaleUses.Inc)
	co.AuthFailures = core.NewAuthFailures(co.Audit, logger, co.Metrics)
	s.jobs, err = jobqueue.Start(jobqueue.Options{Config: cfg.Queue, Store: s.store, Kinds: append(jobKinds(s), opts.JobKinds...),
		Workers: cfg.Queue.WorkerCount(), Audit: co.Audit, ScheduleClock: opts.ScheduleClock, Logger: logger})
	if err != nil {
		s.Close()
		return nil, err
	}
	co.Metrics.Register(s.jobs.Metrics)
	s.syncBackupSchedules(ctx)
	co.OnReload(func() { s.syncBackupSchedules(bg) })
	co.Metrics.Register(benchapi.NewCollector(s.store, logger))
	backupMetrics := backupapi.NewCollector(backupapi.ConfigSource(co), s.store, logger)
	co.Metrics.Register(backupMetrics)
	co.OnReload(backupMetrics.Reload)
	if s.jobs.ScheduleMetrics != nil {
		co.Metrics.Register(s.jobs.ScheduleMetrics)
	}
	s.openWatches = s.openStreamCounter(bg, "watches")
	s.openJobEvents = s.openStreamCounter(bg, "job event streams")
	co.Rates = core.NewRateLimits(cfg.Limits.Rate)
	co.OnReload(func() { co.Rates.Configure(co.Config().Limits.Rate) })
	s.registerRoutes()
	s.handler = co.Handler()
	s.wg.Go(func() {
		auditlog.PruneLoop(bg, s.auditLog, func() time.Duration { return time.Duration(s.config().Audit.Retention) }, s.pruneWake, logger)
	})
	s.wg.Go(func() {
		co.AuthFailures.Run(bg, func() time.Duration { return time.Duration(s.config().Auth.FailureAuditInterval) })
	})
	s.wg.Go(func() { co.Auth.RefreshLoop(bg, core.TokenRefreshInterval) })
	shipper := &auditlog.Shipper{Log: s.store, Spool: s.spool, Health: s.health, Batch: cfg.Audit.MaxBatch,
		Timeout: time.Duration(cfg.Audit.CommitTimeout), Logger: logger}
	s.wg.Go(func() { shipper.Run(bg) })
	return s, nil
}

// openStreamCounter returns a counter of each user's open streams of one sort, kept in the
// queue's Redis (when it is on Redis) under a lease of the queue's visibility timeout, renewed
// until bg ends.
func (s *Server) openStreamCounter(bg context.Context, what string) *usercap.Counter {
	cfg := s.config().Queue
	c := usercap.New(s.jobs.Redis(), what, usercap.Options{
		Prefix: jobqueue.KeyPrefix(cfg) + "open:" + strings.ReplaceAll(what, " ", "-") + ":",
		Lease:  time.Duration(cfg.VisibilityTimeout), Logger: s.logger})
	s.wg.Go(func() { c.Run(bg) })
	return c
}

// config is the configuration being served.
func (s *Server) config() *Config { return s.core.Config() }

// Handler serves the API under /api/v1, /-/healthy, /-/ready, /-/reload and /metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes lists the registered API routes.
func (s *Server) Routes() []Route { return s.core.Routes() }

// Store is the history store the server records to.
func (s *Server) Store() store.Store { return s.store }

// CreateToken creates a token and returns its secret (shown once; only its hash is kept).
// make demo uses it to print a ready-to-use admin token.
func (s *Server) CreateToken(ctx context.Context, spec TokenSpec) (string, store.Token, error) {
	return CreateToken(ctx, s.store, spec)
}

// StopStreams ends open watches, so that an http.Server can shut down; Serve registers it.
func (s *Server) StopStreams() {
	if s.cancel != nil {
		s.cancel()
	}
}

// Close stops background work, ends open watches, records the summary of failed
// authentications of the current interval, commits queued audit records, closes the etcd clients and, when
// New opened it, the store.
func (s *Server) Close() error {
	var errs []error
	s.once.Do(func() {
		s.reloadMu.Lock()
		s.closed = true
		retired := s.retired
		s.reloadMu.Unlock()
		if s.cancel != nil {
			s.cancel()
		}
		s.wg.Wait()
		if s.jobs != nil {
			// Running jobs finish or are handed back; their audit records go before the
			// auditor closes.
			errs = append(errs, s.jobs.Close())
		}
		if s.core.AuthFailures != nil {
			// The summaries of the interval cut short.
			s.core.AuthFailures.Flush(context.Background())
		}
		if s.core.Audit != nil {
			errs = append(errs, s.core.Audit.Close())
		}
		if s.auditLog != nil {
			errs = append(errs, s.auditLog.Close())
		}
		if s.spool != nil {
			// Records still spooled are shipped by the next start.
			errs = append(errs, s.spool.Close())
		}
		for _, c := range s.core.State().Clusters {
			errs = append(errs, c.Close())
		}
		for _, c := range retired {
			errs = append(errs, c.Close())
		}
		if s.ownStore {
			errs = append(errs, s.store.Close())
		}
	})
	return errors.Join(errs...)
}

// healthy answers liveness, and whether the last configuration reload succeeded (also
// etcd_monitor_opsproxy_config_last_reload_successful on /metrics). The reason of a failure is
// logged and answered to POST /-/reload, never shown here. It also tells whether the history
// store answers (and since when), what waits in the audit spool and how each cluster's
// connection stands (its state and the kind of its last error, never the error's text): a
// store or cluster outage does not make the server unhealthy.
func (s *Server) healthy(w http.ResponseWriter, r *http.Request) {
	st := s.reloadStatus.Load()
	up, since := s.health.State()
	bytes, records := s.spool.Stats()
	clusters := map[string]conns.State{}
	for name, c := range s.core.State().Clusters {
		clusters[name] = c.State()
	}
	apihttp.WriteJSON(w, http.StatusOK, map[string]any{
		"status":                          "ok",
		"config_last_reload_successful":   st.OK,
		"config_last_reload_success_time": st.LastSuccess.UTC().Format(time.RFC3339),
		"store": map[string]any{
			"reachable": up,
			"since":     since.UTC().Format(time.RFC3339),
		},
		"audit_spool": map[string]any{
			"bytes":     bytes,
			"records":   records,
			"max_bytes": s.spool.MaxBytes(),
			"full":      s.spool.Full(),
		},
		"clusters": clusters,
	})
}

// ready answers whether this replica can serve: its configuration is loaded and its audit
// spool is not full. An outage of the history store or of a cluster does not make it unready,
// since every replica shares them: reads go on, writes are refused with 503 until the store
// is back, and a load balancer that took every replica out would stop the reads too.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	var reason string
	switch {
	case s.core.Config() == nil:
		reason = "configuration not loaded"
	case s.spool.Full():
		reason = "audit spool full"
	}
	if reason != "" {
		apihttp.WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "not ready", "reason": reason})
		return
	}
	apihttp.WriteJSON(w, http.StatusOK, map[string]any{"status": "ready"})
}
