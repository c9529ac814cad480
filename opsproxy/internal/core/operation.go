package core

import (
	"errors"
	"net/http"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
)

// OpSpec describes an operation: its audit name, the least role it needs, whether it acts on
// a cluster named in the path ({cluster}) and whether it changes anything.
type OpSpec struct {
	Name     string
	Role     Role
	Cluster  bool
	Mutating bool
}

// Call is one request to an operation, from authentication to its audit record.
type Call struct {
	core *Core
	W    http.ResponseWriter
	R    *http.Request
	Spec OpSpec
	P    *Principal
	// Cluster and Cli are the cluster's connection and client, for operations with Spec.Cluster.
	Cluster *conns.Conn
	Cli     *clientv3.Client
	// Rec is the audit record, filled in by the operation (key, value digest) before it ends.
	Rec   store.AuditRecord
	start time.Time
	// Status is the success status (200 when zero).
	Status int
	// intent is set once the "attempted" record is committed.
	intent bool
	// Streamed is set by handlers that wrote their own answer.
	Streamed bool
	// Data is the operation's own, passed from its Resolver to its OpFunc.
	Data any
	// failure, when set by RecordFailure, is the outcome recorded for an operation that still
	// answers with its value.
	failure error
	// onFinish run once the outcome is known (see OnFinish).
	onFinish []func(err error)
	// writeError answers an error; apihttp.WriteError unless the route chose another.
	writeError func(http.ResponseWriter, *http.Request, error)
}

// Resolver decides an operation's spec from its request, before the role check, the cluster
// lookup and the audit record's operation name depend on it. It may fill in c.Rec (for example
// the command line) and returns the spec to run with; its error is answered and audited under
// the route's base spec.
type Resolver func(c *Call) (OpSpec, error)

// Started is when the request was received.
func (c *Call) Started() time.Time { return c.start }

// RecordFailure makes the audit record's outcome failed with err's message while the operation
// still answers with the value it returns: for operations whose answer reports the failure
// itself (the console answers etcd's error as etcdctl prints it).
func (c *Call) RecordFailure(err error) { c.failure = err }

// OnFinish registers fn to run once the outcome is recorded, with the error the operation
// ended with (nil on success, or the error of RecordFailure), before the answer is written.
// It runs for refusals too, also those decided before the operation ran.
func (c *Call) OnFinish(fn func(err error)) { c.onFinish = append(c.onFinish, fn) }

// OpFunc runs an operation and returns the value to answer with (ignored once the handler
// has streamed its own answer).
type OpFunc func(c *Call) (any, error)

func (co *Core) serveOp(w http.ResponseWriter, r *http.Request, spec OpSpec, fn OpFunc) {
	co.serveResolvedOp(w, r, spec, nil, apihttp.WriteError, fn)
}

// serveResolvedOp serves an operation whose spec resolve decides (nil: spec), answering errors
// with writeError.
func (co *Core) serveResolvedOp(w http.ResponseWriter, r *http.Request, spec OpSpec, resolve Resolver,
	writeError func(http.ResponseWriter, *http.Request, error), fn OpFunc) {
	c := &Call{core: co, W: w, R: r, Spec: spec, start: time.Now(), writeError: writeError}
	tok, err := co.Auth.Authenticate(r)
	if err != nil {
		// No identity: refused before reaching the operation, recorded as a failed
		// authentication (coalesced by source and reason).
		co.authFailed(r, spec, c.start, err)
		writeError(w, r, err)
		return
	}
	c.Rec = store.AuditRecord{
		Time:            c.start,
		RequestID:       apihttp.RequestID(r.Context()),
		ClientRequestID: apihttp.ClientRequestID(r.Context()),
		User:            tok.Name,
		TokenID:         tok.ID,
		Role:            tok.Role,
		Source:          co.sourceAddr(r),
		Operation:       spec.Name,
	}
	// Every route under /clusters/{cluster}/ is recorded against its cluster, also those that
	// need no connection to it (baselines, completion's grammar) and when refused before the
	// handler runs, so the audit log filtered by cluster shows them.
	c.Rec.Cluster = truncate(r.PathValue("cluster"), 256)
	c.P, err = co.Auth.Principal(r, tok, co.Config().Auth.Grafana)
	c.Rec.User, c.Rec.Role = c.P.User, c.P.Role.String()
	if co.Rates != nil {
		if key, lerr := co.Rates.check(r, c.P, co.Auth.userHeader, c.start); lerr != nil {
			co.refuseLimited(c, key, lerr)
			return
		}
	}
	if err == nil && resolve != nil {
		var resolved OpSpec
		if resolved, err = resolve(c); err == nil {
			// The cluster comes from the path whatever was resolved.
			resolved.Cluster = spec.Cluster
			spec, c.Spec, c.Rec.Operation = resolved, resolved, resolved.Name
		}
	}
	if err == nil {
		err = c.P.RequireRole(spec.Role, strings.ReplaceAll(spec.Name, ".", " "))
	}
	if err == nil && !spec.Mutating && co.Audit.SpoolFull() {
		// The read's record could be neither committed nor kept.
		err = apihttp.Errorf(http.StatusServiceUnavailable, "audit spool full")
	}
	if err == nil && spec.Cluster {
		err = c.useCluster(c.Rec.Cluster)
	}
	var out any
	if err == nil {
		out, err = fn(c)
	}
	co.finish(c, out, err)
}

// refuseLimited answers a request over a rate limit with 429 and Retry-After, and audits it
// when it is the first refusal of its key within the second.
func (co *Core) refuseLimited(c *Call, key string, err error) {
	if le, ok := err.(*limitedError); ok {
		c.W.Header().Set("Retry-After", le.retryAfterHeader())
	}
	co.Metrics.rateLimited.WithLabelValues(c.Spec.Name).Inc()
	if co.Rates.firstRefusal(key, c.start) {
		co.finish(c, nil, err)
		return
	}
	c.writeError(c.W, c.R, err)
}

// useCluster checks the token's cluster scope, then that the cluster exists, and gets its
// client, waiting for it within the request's context and the cluster's request timeout.
func (c *Call) useCluster(name string) error {
	if !c.P.MayUseCluster(name) {
		return apihttp.Deniedf("token %s may not act on cluster %q", c.P.Token.ID, name)
	}
	conn, ok := c.core.ClusterFor(c.R.Context(), name)
	if !ok {
		return apihttp.Errorf(http.StatusNotFound, "no cluster %q", name)
	}
	cli := conn.ReadyClient()
	if cli == nil {
		ctx, cancel := conn.RequestCtx(c.R.Context())
		defer cancel()
		var err error
		if cli, err = conn.Client(ctx); err != nil {
			return err
		}
	}
	c.Cluster, c.Cli = conn, cli
	return nil
}

// CommitIntent records that a mutating operation is about to be sent, and refuses it (503)
// when the record cannot be committed.
func (c *Call) CommitIntent() error {
	rec := c.Rec
	rec.Outcome = store.OutcomeAttempted
	start := time.Now()
	err := c.core.Audit.Append(c.R.Context(), rec)
	c.core.Metrics.AuditWait.WithLabelValues(c.Spec.Name).Observe(time.Since(start).Seconds())
	if err != nil {
		return apihttp.Wrap(http.StatusServiceUnavailable, "audit log unavailable: operation refused", err)
	}
	c.intent = true
	return nil
}

// finish records the outcome and answers. Refusals, and failures before an attempt was
// recorded, are committed before the answer; the outcome of a mutation (whose attempt was
// committed before it was sent) and successful reads are committed in the background. While
// the store is down, all of these go to the audit spool; only attempts never do.
func (co *Core) finish(c *Call, out any, err error) {
	rec := c.Rec
	rec.Duration = time.Since(c.start)
	var ae *apihttp.Error
	switch {
	case err == nil && c.failure != nil:
		rec.Outcome = store.OutcomeFailed
		_, rec.Error = apihttp.StatusOf(c.failure)
	case err == nil:
		rec.Outcome = store.OutcomeSucceeded
	case errors.As(err, &ae) && ae.Denied():
		rec.Outcome = store.OutcomeDenied
	default:
		rec.Outcome = store.OutcomeFailed
	}
	if err != nil {
		code, msg := apihttp.StatusOf(err)
		rec.Error = msg
		if code >= 500 {
			co.Logger.Warn("operation failed", "request_id", rec.RequestID, "operation", rec.Operation,
				"cluster", rec.Cluster, "err", err)
		}
		if refused(rec.Outcome, code) && !c.intent {
			// The caller chose the key of a refused request; only its size and sha256 are
			// kept, so a refusal costs the log the same few hundred bytes whatever was sent.
			rec.WithholdKeys()
		}
	}
	auditIntentFailed := errors.As(err, &ae) && ae.Status() == http.StatusServiceUnavailable && c.Spec.Mutating && !c.intent
	switch {
	case auditIntentFailed:
		// Nothing can be recorded; the failure is logged by the auditor.
	case c.intent || (err == nil && !c.Spec.Mutating):
		// The attempt is already recorded, or this was a successful read: answer at once.
		co.Audit.AppendLater(c.R.Context(), rec)
	default:
		// Refusals and failures before any attempt are recorded (or spooled) before the answer.
		_ = co.Audit.AppendOrSpool(c.R.Context(), rec)
	}
	outcome := err
	if outcome == nil {
		outcome = c.failure
	}
	for _, fn := range c.onFinish {
		fn(outcome)
	}
	switch {
	case c.Streamed:
	case err != nil:
		c.writeError(c.W, c.R, err)
	default:
		status := c.Status
		if status == 0 {
			status = http.StatusOK
		}
		apihttp.WriteJSON(c.W, status, out)
	}
}

// refused reports whether a request was turned away rather than tried: denied, or answered
// with a 4xx status other than 499 (the client went away).
func refused(outcome store.Outcome, code int) bool {
	return outcome == store.OutcomeDenied || code >= 400 && code < 500 && code != 499
}
