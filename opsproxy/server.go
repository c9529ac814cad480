package opsproxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/open"
)

// Options tune New. Zero values pick the defaults.
type Options struct {
	// Store is used instead of opening the store the configuration names; Close leaves it open.
	Store store.Store
	// ConfigFile is the file Reload reads again; empty when the configuration was built in code.
	ConfigFile string
}

// Server is the opsproxy API server. It is safe for concurrent use.
type Server struct {
	logger   *slog.Logger
	store    store.Store
	ownStore bool
	audit    *auditor
	metrics  *serverMetrics
	auth     *authenticator
	watches  *watchLimiter
	mux      *http.ServeMux
	routes   []Route
	handler  http.Handler

	// state is the configuration and cluster connections being served; Reload replaces it
	// (see reload.go).
	state        atomic.Pointer[serverState]
	configFile   string
	reloadStatus atomic.Pointer[reloadStatus]
	// reloadMu serialises reloads and Close; under it, retired are the connections reloads
	// took out of service (closed when their last request ends, or by Close), and closed is
	// set by Close.
	reloadMu sync.Mutex
	retired  []*clusterConn
	closed   bool
	// pruneWake makes the retention loop apply a reloaded audit.retention at once.
	pruneWake chan struct{}

	cancel context.CancelFunc
	// streams ends open watches at shutdown.
	streams context.Context
	wg      sync.WaitGroup
	once    sync.Once
}

// Route is one registered method and path, as the OpenAPI file describes it.
type Route struct {
	Method, Path, Operation string
}

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
	s := &Server{logger: logger, store: opts.Store, mux: http.NewServeMux(), configFile: opts.ConfigFile, pruneWake: make(chan struct{}, 1)}
	s.state.Store(&serverState{cfg: cfg})
	s.reloadStatus.Store(&reloadStatus{ok: true, lastSuccess: time.Now()})
	if s.store == nil {
		st, err := open.Store(ctx, cfg.Store, logger)
		if err != nil {
			return nil, err
		}
		s.store, s.ownStore = st, true
	}
	conns, _, err := connectClusters(cfg, nil, logger)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.state.Store(&serverState{cfg: cfg, clusters: conns})
	created, err := bootstrap(ctx, s.store, cfg.Auth.BootstrapTokenFile)
	if err != nil {
		s.Close()
		return nil, err
	}
	if created {
		logger.Info("created the bootstrap admin token", "file", cfg.Auth.BootstrapTokenFile)
	}
	s.metrics = newServerMetrics(s)
	s.audit = newAuditor(s.store, cfg.Audit, logger, s.metrics)
	s.auth = newAuthenticator(s.store, cfg.Auth)
	s.watches = newWatchLimiter(cfg.Limits.MaxWatchesPerUser)
	s.routesInit()
	s.handler = withRequestID(s.metrics.instrument(s.recoverPanics(http.HandlerFunc(s.dispatch))))
	bg, cancel := context.WithCancel(context.Background())
	s.cancel, s.streams = cancel, bg
	s.wg.Go(func() {
		pruneLoop(bg, s.store, func() time.Duration { return time.Duration(s.config().Audit.Retention) }, s.pruneWake, logger)
	})
	return s, nil
}

// Handler serves the API under /api/v1, /-/healthy, /-/reload and /metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes lists the registered API routes.
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

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

// Close stops background work, ends open watches, commits queued audit records, closes the etcd clients and, when
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
		if s.audit != nil {
			errs = append(errs, s.audit.close())
		}
		for _, c := range s.state.Load().clusters {
			errs = append(errs, c.close())
		}
		for _, c := range retired {
			errs = append(errs, c.close())
		}
		if s.ownStore {
			errs = append(errs, s.store.Close())
		}
	})
	return errors.Join(errs...)
}

// dispatch routes a request, answering unknown paths and methods with JSON errors.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, r, errorf(http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path))
		return
	}
	writeError(w, r, errorf(http.StatusNotFound, "no such path: %s", r.URL.Path))
}

// recoverPanics answers a panicking handler with a JSON 500 instead of a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.Error("handler panicked", "request_id", requestID(r.Context()), "path", r.URL.Path, "panic", v)
				writeError(w, r, errorf(http.StatusInternalServerError, "internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// healthy answers liveness, and whether the last configuration reload succeeded (also
// etcd_monitor_opsproxy_config_last_reload_successful on /metrics). The reason of a failure is
// logged and answered to POST /-/reload, never shown here.
func (s *Server) healthy(w http.ResponseWriter, r *http.Request) {
	st := s.reloadStatus.Load()
	writeJSON(w, http.StatusOK, map[string]any{
		"status":                          "ok",
		"config_last_reload_successful":   st.ok,
		"config_last_reload_success_time": st.lastSuccess.UTC().Format(time.RFC3339),
	})
}
