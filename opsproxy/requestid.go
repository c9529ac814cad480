package opsproxy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// requestStateKey carries a request's *requestState in its context.
type requestStateKey struct{}

// requestState is what a request carries in its context: its id, and the cluster connections
// it uses (taken by clusterFor in the request's goroutine), given back when it ends.
type requestState struct {
	id string
	// operation is the route's operation name, for the request metrics; empty when no route
	// matched.
	operation string
	conns     []*clusterConn
}

// RequestIDHeader carries the request id in both directions: a client may set it (up to 64
// letters, digits, '-', '_' or '.'), otherwise one is generated. It is in every answer and
// every audit record.
const RequestIDHeader = "X-Request-Id"

// stateOf returns the state of the request ctx belongs to; nil outside a request.
func stateOf(ctx context.Context) *requestState {
	rs, _ := ctx.Value(requestStateKey{}).(*requestState)
	return rs
}

// setOperation records the operation r is served by.
func setOperation(r *http.Request, operation string) {
	if rs := stateOf(r.Context()); rs != nil {
		rs.operation = operation
	}
}

// requestID returns the id of the request ctx belongs to.
func requestID(ctx context.Context) string {
	if rs := stateOf(ctx); rs != nil {
		return rs.id
	}
	return ""
}

// withRequestID gives every request an id, in its context and in the answer's header, and
// gives back the cluster connections it used when it ends.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		rs := &requestState{id: id}
		defer rs.release()
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestStateKey{}, rs)))
	})
}

func validRequestID(id string) bool {
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

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
