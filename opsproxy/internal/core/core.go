package core

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
)

// Core is what every API area registers its routes with and serves its operations through:
// authentication, RBAC, the audit hook, error answers, metrics and the served configuration.
type Core struct {
	Logger  *slog.Logger
	Store   store.Store
	Auth    *Authenticator
	Audit   *auditlog.Auditor
	Metrics *Metrics
	// AuthFailures records failed authentications.
	AuthFailures *AuthFailures
	// Rates limits the rate of operations per token and end user; nil: no limit.
	Rates *RateLimits
	// Streams ends when the server stops: open watches end with it.
	Streams context.Context

	state    atomic.Pointer[State]
	mux      *http.ServeMux
	routes   []Route
	onReload []func()
}

// State is what a reload replaces: the configuration and the cluster connections made from
// it. Neither is changed once published.
type State struct {
	Cfg      *config.Config
	Clusters map[string]*conns.Conn
}

// Route is one registered method and path, as the OpenAPI file describes it, and who may
// call it (docs/security.md's route table is checked against these).
type Route struct {
	Method, Path, Operation string
	// Public routes need no token and reach no operation.
	Public bool
	// Role is the least role that may call the route; for a resolved route, the least role
	// of any request to it (each request's own is decided from its content).
	Role Role
	// Resolved routes decide the role from each request (the console's commands).
	Resolved bool
	// Mutating routes change etcd or the server: their audit record is committed first.
	Mutating bool
}

// New makes a core serving state; fill in the exported fields before serving.
func New(state *State) *Core {
	co := &Core{mux: http.NewServeMux()}
	co.state.Store(state)
	return co
}

// State is the configuration and connections being served.
func (co *Core) State() *State { return co.state.Load() }

// SetState publishes a new configuration and its connections (a reload).
func (co *Core) SetState(st *State) { co.state.Store(st) }

// Config is the configuration being served.
func (co *Core) Config() *config.Config { return co.state.Load().Cfg }

// ClusterFor returns the connection of the named cluster in the served configuration. Within
// a request the connection is kept open until the request ends, even when a reload retires it
// meanwhile.
func (co *Core) ClusterFor(ctx context.Context, name string) (*conns.Conn, bool) {
	for {
		conn, ok := co.state.Load().Clusters[name]
		if !ok || !apihttp.InRequest(ctx) {
			return conn, ok
		}
		if !conn.Acquire() {
			// Retired and closed since the load: the next load sees the configuration that
			// replaced it.
			continue
		}
		apihttp.OnEnd(ctx, conn.Release)
		return conn, true
	}
}

// Handle registers an operation under a method and path pattern ("GET /api/v1/...").
func (co *Core) Handle(pattern string, spec OpSpec, fn OpFunc) {
	if co.Metrics != nil {
		co.Metrics.rateLimited.WithLabelValues(spec.Name) // shown at 0 from the start
	}
	co.route(pattern, Route{Operation: spec.Name, Role: spec.Role, Mutating: spec.Mutating},
		func(w http.ResponseWriter, r *http.Request) { co.serveOp(w, r, spec, fn) })
}

// HandleResolved registers an operation whose spec is decided from each request by resolve
// (base names it in the routes and metrics and is the spec a request is audited under when
// resolve fails). The role check, the cluster lookup and the audit record then use the
// resolved spec. writeError answers errors (nil: apihttp.WriteError), for routes whose error
// bodies carry more than the message.
func (co *Core) HandleResolved(pattern string, base OpSpec, resolve Resolver, writeError func(http.ResponseWriter, *http.Request, error), fn OpFunc) {
	if co.Metrics != nil {
		co.Metrics.rateLimited.WithLabelValues(base.Name)
	}
	if writeError == nil {
		writeError = apihttp.WriteError
	}
	co.route(pattern, Route{Operation: base.Name, Role: base.Role, Resolved: true, Mutating: base.Mutating}, func(w http.ResponseWriter, r *http.Request) {
		co.serveResolvedOp(w, r, base, resolve, writeError, fn)
	})
}

// Unauthenticated registers a route that needs no token and reaches no operation (nothing is
// audited): the liveness and readiness checks and the metrics.
func (co *Core) Unauthenticated(pattern, operation string, h http.Handler) {
	co.route(pattern, Route{Operation: operation, Public: true}, h.ServeHTTP)
}

// route registers h for pattern: in the routes the OpenAPI file must describe, and under
// the route's operation name in the request metrics.
func (co *Core) route(pattern string, rt Route, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	rt.Method, rt.Path = method, path
	operation := rt.Operation
	co.routes = append(co.routes, rt)
	co.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apihttp.SetOperation(r, operation)
		h(w, r)
	}))
}

// Routes lists the registered routes.
func (co *Core) Routes() []Route { return slices.Clone(co.routes) }

// Handler serves the registered routes, with request ids, metrics and JSON answers to unknown
// paths, wrong methods and panics.
func (co *Core) Handler() http.Handler {
	return apihttp.WithRequestID(co.Metrics.instrument(co.recoverPanics(http.HandlerFunc(co.dispatch))))
}

// dispatch routes a request, answering unknown paths and methods with JSON errors.
func (co *Core) dispatch(w http.ResponseWriter, r *http.Request) {
	if _, pattern := co.mux.Handler(r); pattern != "" {
		co.mux.ServeHTTP(w, r)
		return
	}
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := co.mux.Handler(probe); pattern != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		apihttp.WriteError(w, r, apihttp.Errorf(http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path))
		return
	}
	apihttp.WriteError(w, r, apihttp.Errorf(http.StatusNotFound, "no such path: %s", r.URL.Path))
}

// recoverPanics answers a panicking handler with a JSON 500 instead of a dropped connection.
func (co *Core) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				co.Logger.Error("handler panicked", "request_id", apihttp.RequestID(r.Context()), "path", r.URL.Path, "panic", v)
				apihttp.WriteError(w, r, apihttp.Errorf(http.StatusInternalServerError, "internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// OnReload registers fn to run after each successful reload (areas re-read their settings).
func (co *Core) OnReload(fn func()) { co.onReload = append(co.onReload, fn) }

// Reloaded runs what OnReload registered; the server calls it after publishing a new state.
func (co *Core) Reloaded() {
	for _, fn := range co.onReload {
		fn()
	}
}
