package console

import (
	"errors"
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
)

// etcdctl's exit codes (go.etcd.io/etcd/pkg/v3/cobrautl), which the API answers as exit_code and
// `ctl` exits with.
const (
	ExitSuccess       = 0
	ExitError         = 1
	ExitBadConnection = 2
	ExitInvalidInput  = 3
	ExitBadFeature    = 4
	ExitInterrupted   = 5
	ExitBadArgs       = 128
)

// exitError is an error with the code etcdctl exits with for it.
type exitError struct {
	err  error
	code int
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withExit gives err the exit code code.
func withExit(code int, err error) error { return &exitError{err: err, code: code} }

// badRequest is a 400 answer with etcdctl's message and exit code for it.
func badRequest(code int, format string, args ...any) error {
	return withExit(code, apihttp.Errorf(http.StatusBadRequest, format, args...))
}

// ExitCodeOf is the code etcdctl exits with for err: the one it was given, 2 when the cluster
// or the audit log could not be reached (etcdctl's bad connection), else 1.
func ExitCodeOf(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var se *silentExit
	if errors.As(err, &se) {
		return se.code
	}
	switch status, _ := apihttp.StatusOf(err); status {
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return ExitBadConnection
	}
	return ExitError
}

// errorBody is the JSON body of a console error answer: the API's error body and etcdctl's
// exit code.
type errorBody struct {
	Error     string `json:"error"`
	RequestID string `json:"request_id"`
	ExitCode  int    `json:"exit_code"`
}

// writeError answers err as the console API does: its status, message and exit code.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := apihttp.StatusOf(err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="etcd-monitor"`)
	}
	apihttp.WriteJSON(w, status, errorBody{Error: msg, RequestID: apihttp.RequestID(r.Context()), ExitCode: ExitCodeOf(err)})
}
