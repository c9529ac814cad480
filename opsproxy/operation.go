package opsproxy

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// opSpec describes an operation: its audit name, the least role it needs, whether it acts on
// a cluster named in the path ({cluster}) and whether it changes anything.
type opSpec struct {
	name     string
	role     Role
	cluster  bool
	mutating bool
}

// opCall is one request to an operation, from authentication to its audit record.
type opCall struct {
	s       *Server
	w       http.ResponseWriter
	r       *http.Request
	spec    opSpec
	p       *principal
	cluster *clusterConn
	// cli is the cluster's client, once useCluster has it.
	cli   *clientv3.Client
	rec   store.AuditRecord
	start time.Time
	// status is the success status (200 when zero).
	status int
	// intent is set once the "attempted" record is committed.
	intent bool
	// streamed is set by handlers that wrote their own answer.
	streamed bool
}

// opFunc runs an operation and returns the value to answer with (ignored once the handler
// has streamed its own answer).
type opFunc func(c *opCall) (any, error)

// handle registers an operation under a method and path pattern ("GET /api/v1/...").
func (s *Server) handle(pattern string, spec opSpec, fn opFunc) {
	s.route(pattern, spec.name, func(w http.ResponseWriter, r *http.Request) { s.serveOp(w, r, spec, fn) })
}

// unauthenticated registers a route that needs no token and reaches no operation (nothing is
// audited): the liveness check and the metrics.
func (s *Server) unauthenticated(pattern, operation string, h http.Handler) {
	s.route(pattern, operation, h.ServeHTTP)
}

// route registers h for pattern: in the routes the OpenAPI file must describe, and under
// operation's name in the request metrics.
func (s *Server) route(pattern, operation string, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	s.routes = append(s.routes, Route{Method: method, Path: path, Operation: operation})
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setOperation(r, operation)
		h(w, r)
	}))
}

func (s *Server) serveOp(w http.ResponseWriter, r *http.Request, spec opSpec, fn opFunc) {
	c := &opCall{s: s, w: w, r: r, spec: spec, start: time.Now()}
	tok, err := s.auth.authenticate(r)
	if err != nil {
		// No identity, nothing to record against: refused before reaching the operation.
		writeError(w, r, err)
		return
	}
	c.rec = store.AuditRecord{
		Time:      c.start,
		RequestID: requestID(r.Context()),
		User:      tok.Name,
		TokenID:   tok.ID,
		Role:      tok.Role,
		Source:    sourceAddr(r),
		Operation: spec.name,
	}
	if spec.cluster {
		c.rec.Cluster = r.PathValue("cluster")
	}
	c.p, err = s.auth.principal(r, tok)
	c.rec.User, c.rec.Role = c.p.user, c.p.role.String()
	if err == nil {
		err = c.p.requireRole(spec.role, strings.ReplaceAll(spec.name, ".", " "))
	}
	if err == nil && spec.cluster {
		err = c.useCluster(c.rec.Cluster)
	}
	var out any
	if err == nil {
		out, err = fn(c)
	}
	s.finish(c, out, err)
}

// useCluster checks the token's cluster scope, then that the cluster exists, and gets its
// client, waiting for it within the request's context and the cluster's request timeout.
func (c *opCall) useCluster(name string) error {
	if !c.p.mayUseCluster(name) {
		return deniedf("token %s may not act on cluster %q", c.p.token.ID, name)
	}
	conn, ok := c.s.clusterFor(c.r.Context(), name)
	if !ok {
		return errorf(http.StatusNotFound, "no cluster %q", name)
	}
	cli := conn.readyClient()
	if cli == nil {
		ctx, cancel := conn.requestCtx(c.r.Context())
		defer cancel()
		var err error
		if cli, err = conn.client(ctx); err != nil {
			return err
		}
	}
	c.cluster, c.cli = conn, cli
	return nil
}

// commitIntent records that a mutating operation is about to be sent, and refuses it (503)
// when the record cannot be committed.
func (c *opCall) commitIntent() error {
	rec := c.rec
	rec.Outcome = store.OutcomeAttempted
	start := time.Now()
	err := c.s.audit.append(c.r.Context(), rec)
	c.s.metrics.auditWait.WithLabelValues(c.spec.name).Observe(time.Since(start).Seconds())
	if err != nil {
		return &apiError{status: http.StatusServiceUnavailable, msg: "audit log unavailable: operation refused", err: err}
	}
	c.intent = true
	return nil
}

// finish records the outcome and answers. Refusals, and failures before an attempt was
// recorded, are committed before the answer; the outcome of a mutation (whose attempt was
// committed before it was sent) and successful reads are committed in the background.
func (s *Server) finish(c *opCall, out any, err error) {
	rec := c.rec
	rec.Duration = time.Since(c.start)
	var ae *apiError
	switch {
	case err == nil:
		rec.Outcome = store.OutcomeSucceeded
	case errors.As(err, &ae) && ae.denied:
		rec.Outcome = store.OutcomeDenied
	default:
		rec.Outcome = store.OutcomeFailed
	}
	if err != nil {
		_, rec.Error = statusOf(err)
		code, _ := statusOf(err)
		if code >= 500 {
			s.logger.Warn("operation failed", "request_id", rec.RequestID, "operation", rec.Operation,
				"cluster", rec.Cluster, "err", err)
		}
	}
	auditIntentFailed := errors.As(err, &ae) && ae.status == http.StatusServiceUnavailable && c.spec.mutating && !c.intent
	switch {
	case auditIntentFailed:
		// Nothing can be recorded; the failure is logged by the auditor.
	case c.intent || (err == nil && !c.spec.mutating):
		// The attempt is already recorded, or this was a successful read: answer at once.
		s.audit.appendLater(c.r.Context(), rec)
	default:
		// Refusals and failures before any attempt are recorded before the answer.
		_ = s.audit.append(c.r.Context(), rec)
	}
	switch {
	case c.streamed:
	case err != nil:
		writeError(c.w, c.r, err)
	default:
		status := c.status
		if status == 0 {
			status = http.StatusOK
		}
		writeJSON(c.w, status, out)
	}
}

// sourceAddr is the client's IP address.
func sourceAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
