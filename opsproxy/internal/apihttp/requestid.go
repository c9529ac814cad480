package apihttp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// requestStateKey carries a request's *requestState in its context.
type requestStateKey struct{}

// requestState is what a request carries in its context: its id, the operation serving it and
// what to give back when it ends (such as the cluster connections it took).
type requestState struct {
	id string
	// clientID is the X-Request-Id the client sent, when valid.
	clientID string
	// operation is the route's operation name, for the request metrics; empty when no route
	// matched.
	operation string
	onEnd     []func()
}

// RequestIDHeader carries the request id in both directions. opsproxy gives every request an
// id of its own, answered in this header and recorded as the audit records' request_id, so
// that a lookup by it finds that request only. A client may send one too (up to 64 letters,
// digits, '-', '_' or '.'): it is kept for correlation, recorded as client_request_id and
// echoed in ClientRequestIDHeader.
const RequestIDHeader = "X-Request-Id"

// ClientRequestIDHeader echoes the X-Request-Id the client sent, when it was valid.
const ClientRequestIDHeader = "X-Client-Request-Id"

func stateOf(ctx context.Context) *requestState {
	rs, _ := ctx.Value(requestStateKey{}).(*requestState)
	return rs
}

// SetOperation records the operation r is served by.
func SetOperation(r *http.Request, operation string) {
	if rs := stateOf(r.Context()); rs != nil {
		rs.operation = operation
	}
}

// Operation is the operation the request ctx belongs to is served by; empty when no route
// matched.
func Operation(ctx context.Context) string {
	if rs := stateOf(ctx); rs != nil {
		return rs.operation
	}
	return ""
}

// RequestID returns the id of the request ctx belongs to.
func RequestID(ctx context.Context) string {
	if rs := stateOf(ctx); rs != nil {
		return rs.id
	}
	return ""
}

// ClientRequestID returns the X-Request-Id the client of the request ctx belongs to sent
// (empty when it sent none, or an invalid one).
func ClientRequestID(ctx context.Context) string {
	if rs := stateOf(ctx); rs != nil {
		return rs.clientID
	}
	return ""
}

// OnEnd runs fn when the request ctx belongs to has been answered, in its goroutine; it reports
// false (and does not keep fn) outside a request.
func OnEnd(ctx context.Context, fn func()) bool {
	rs := stateOf(ctx)
	if rs == nil {
		return false
	}
	rs.onEnd = append(rs.onEnd, fn)
	return true
}

// WithRequestID gives every request an id of its own, in its context and in the answer's
// header, keeps (and echoes) a valid id the client sent, and runs what OnEnd registered when
// it ends.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := NewRequestID()
		w.Header().Set(RequestIDHeader, id)
		ctx, end := NewRequestContext(r.Context(), id)
		defer end()
		if client := r.Header.Get(RequestIDHeader); ValidRequestID(client) {
			stateOf(ctx).clientID = client
			w.Header().Set(ClientRequestIDHeader, client)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ValidRequestID reports whether id is one a client may set: 1 to 64 letters, digits, '-',
// '_' or '.'.
func ValidRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

// NewRequestID makes a request id, for work that does not come as a request (a SIGHUP).
func NewRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// InRequest reports whether ctx belongs to a request served through WithRequestID.
func InRequest(ctx context.Context) bool { return stateOf(ctx) != nil }

// NewRequestContext makes ctx the context of a request with the given id that is not served
// over HTTP (work started by a signal or a job); end runs what OnEnd registered.
func NewRequestContext(ctx context.Context, id string) (reqCtx context.Context, end func()) {
	rs := &requestState{id: id}
	return context.WithValue(ctx, requestStateKey{}, rs), func() {
		for _, fn := range rs.onEnd {
			fn()
		}
		rs.onEnd = nil
	}
}
