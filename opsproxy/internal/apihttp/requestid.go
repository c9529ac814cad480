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
	// operation is the route's operation name, for the request metrics; empty when no route
	// matched.
	operation string
	onEnd     []func()
}

// RequestIDHeader carries the request id in both directions: a client may set it (up to 64
// letters, digits, '-', '_' or '.'), otherwise one is generated. It is in every answer and
// every audit record.
const RequestIDHeader = "X-Request-Id"

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

// WithRequestID gives every request an id, in its context and in the answer's header, and
// runs what OnEnd registered when it ends.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !ValidRequestID(id) {
			id = NewRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		ctx, end := NewRequestContext(r.Context(), id)
		defer end()
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
