package apihttp

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

// Error is an error with the HTTP status it is answered with. Its message is shown to the
// client, so it never carries a secret; its cause (Unwrap) is for the log only.
type Error struct {
	status int
	msg    string
	// denied marks a refusal by RBAC, audited with the outcome "denied".
	denied bool
	err    error
}

func (e *Error) Error() string { return e.msg }
func (e *Error) Unwrap() error { return e.err }

// Status is the HTTP status the error is answered with.
func (e *Error) Status() int { return e.status }

// Denied reports whether the error is a refusal by RBAC (audited as "denied").
func (e *Error) Denied() bool { return e.denied }

// Wrap answers with status and msg, keeping cause for the log only.
func Wrap(status int, msg string, cause error) *Error {
	return &Error{status: status, msg: msg, err: cause}
}

// Errorf returns an Error with a formatted message; a %w verb keeps the cause, and its text is
// part of the message, so wrap only errors whose text may be shown.
func Errorf(status int, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{status: status, msg: err.Error(), err: errors.Unwrap(err)}
}

// Deniedf is a 403 refusal by RBAC.
func Deniedf(format string, args ...any) *Error {
	e := Errorf(http.StatusForbidden, format, args...)
	e.denied = true
	return e
}

// ErrorBody is the JSON body of every error answer.
type ErrorBody struct {
	Error     string `json:"error"`
	RequestID string `json:"request_id"`
}

// StatusOf maps an error to the HTTP status and message it is answered with: Errors keep
// theirs, etcd errors are mapped by meaning, anything else is a 502 from etcd.
func StatusOf(err error) (int, string) {
	var ae *Error
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

// WriteJSON answers with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

// WriteError answers with err's status and a JSON error body carrying the request id.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := StatusOf(err)
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="etcd-monitor"`)
	}
	WriteJSON(w, code, ErrorBody{Error: msg, RequestID: RequestID(r.Context())})
}

// StoreError answers a history store failure: its cause is kept for the log (store errors
// never carry a DSN password) and the client learns which kind of failure it was.
func StoreError(what string, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &Error{status: http.StatusNotFound, msg: what + ": not found", err: err}
	case errors.Is(err, store.ErrConflict):
		return &Error{status: http.StatusConflict, msg: what + ": already exists", err: err}
	case errors.Is(err, store.ErrInvalid):
		return &Error{status: http.StatusBadRequest, msg: what + ": " + err.Error(), err: err}
	}
	return &Error{status: http.StatusServiceUnavailable, msg: what + ": history store unavailable", err: err}
}
