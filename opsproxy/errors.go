package opsproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// apiError is an error with the HTTP status it is answered with. Its message is shown to the
// client, so it never carries a secret.
type apiError struct {
	status int
	msg    string
	// denied marks a refusal by RBAC, audited with the outcome "denied".
	denied bool
	err    error
}

func (e *apiError) Error() string { return e.msg }
func (e *apiError) Unwrap() error { return e.err }

// errorf returns an apiError with a formatted message; a %w verb keeps the cause.
func errorf(status int, format string, args ...any) *apiError {
	err := fmt.Errorf(format, args...)
	return &apiError{status: status, msg: err.Error(), err: errors.Unwrap(err)}
}

// deniedf is a 403 refusal by RBAC.
func deniedf(format string, args ...any) *apiError {
	e := errorf(http.StatusForbidden, format, args...)
	e.denied = true
	return e
}

// errorBody is the JSON body of every error answer.
type errorBody struct {
	Error     string `json:"error"`
	RequestID string `json:"request_id"`
}

// statusOf maps an error to the HTTP status and message it is answered with: apiErrors keep
// theirs, etcd errors are mapped by meaning, anything else is a 502 from etcd.
func statusOf(err error) (int, string) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status, ae.msg
	}
	var ee rpctypes.EtcdError
	if errors.As(err, &ee) {
		return etcdErrorStatus(ee), "etcd: " + ee.Error()
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, "etcd did not answer in time"
	case errors.Is(err, context.Canceled):
		return 499, "request cancelled"
	}
	if s, ok := status.FromError(err); ok {
		switch s.Code() {
		case codes.Unavailable:
			return http.StatusServiceUnavailable, "etcd unavailable: " + s.Message()
		case codes.DeadlineExceeded:
			return http.StatusGatewayTimeout, "etcd did not answer in time"
		case codes.ResourceExhausted:
			return http.StatusRequestEntityTooLarge, "etcd: " + s.Message()
		}
	}
	return http.StatusBadGateway, "etcd: " + err.Error()
}

func etcdErrorStatus(ee rpctypes.EtcdError) int {
	switch ee {
	case rpctypes.ErrCompacted:
		return http.StatusGone
	case rpctypes.ErrFutureRev:
		return http.StatusBadRequest
	case rpctypes.ErrRequestTooLarge:
		return http.StatusRequestEntityTooLarge
	case rpctypes.ErrLeaseNotFound, rpctypes.ErrMemberNotFound:
		return http.StatusNotFound
	case rpctypes.ErrMemberExist, rpctypes.ErrPeerURLExist, rpctypes.ErrMemberNotLearner,
		rpctypes.ErrMemberLearnerNotReady, rpctypes.ErrTooManyLearners,
		rpctypes.ErrMemberNotEnoughStarted, rpctypes.ErrLeaseExist:
		return http.StatusConflict
	case rpctypes.ErrMemberBadURLs, rpctypes.ErrEmptyKey, rpctypes.ErrKeyNotFound,
		rpctypes.ErrTooManyOps, rpctypes.ErrDuplicateKey, rpctypes.ErrInvalidSortOption,
		rpctypes.ErrLeaseTTLTooLarge:
		return http.StatusBadRequest
	case rpctypes.ErrNoSpace:
		return http.StatusInsufficientStorage
	case rpctypes.ErrPermissionDenied, rpctypes.ErrAuthFailed, rpctypes.ErrUserEmpty,
		rpctypes.ErrInvalidAuthToken:
		return http.StatusBadGateway
	case rpctypes.ErrNoLeader, rpctypes.ErrNotCapable, rpctypes.ErrStopped, rpctypes.ErrTimeout,
		rpctypes.ErrTimeoutDueToLeaderFail, rpctypes.ErrTimeoutDueToConnectionLost,
		rpctypes.ErrTimeoutWaitAppliedIndex, rpctypes.ErrNotLeader, rpctypes.ErrLeaderChanged,
		rpctypes.ErrTooManyRequests, rpctypes.ErrUnhealthy:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadGateway
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

// writeError answers with err's status and a JSON error body carrying the request id.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := statusOf(err)
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="etcd-monitor"`)
	}
	writeJSON(w, code, errorBody{Error: msg, RequestID: requestID(r.Context())})
}

// storeError answers a history store failure: its cause is kept for the log (store errors
// never carry a DSN password) and the client learns which kind of failure it was.
func storeError(what string, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &apiError{status: http.StatusNotFound, msg: what + ": not found", err: err}
	case errors.Is(err, store.ErrConflict):
		return &apiError{status: http.StatusConflict, msg: what + ": already exists", err: err}
	case errors.Is(err, store.ErrInvalid):
		return &apiError{status: http.StatusBadRequest, msg: what + ": " + err.Error(), err: err}
	}
	return &apiError{status: http.StatusServiceUnavailable, msg: what + ": history store unavailable", err: err}
}
