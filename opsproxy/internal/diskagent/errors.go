package diskagent

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
)

// Errors of an agent's answer, matched with errors.Is on an *Error.
var (
	// ErrBusy is the agent's 409: a probe is already running there.
	ErrBusy = errors.New("a probe is already running on the agent")
	// ErrOverBudget is the agent's 429: the probe would exceed its I/O budget.
	ErrOverBudget = errors.New("the probe is over the agent's I/O budget")
	// ErrRejected is the agent's 400: it refused the request's parameters.
	ErrRejected = errors.New("the agent refused the probe's parameters")
	// ErrUnauthorized is the agent's 401 or 403: it refused opsproxy's credentials.
	ErrUnauthorized = errors.New("the agent refused opsproxy's credentials")
	// ErrNoResult is the agent's 404 for its last result: it has run no probe yet.
	ErrNoResult = errors.New("the agent has no result yet")
)

// maxAgentMessage bounds the agent's own error text kept in an error.
const maxAgentMessage = 512

// Error is a failed call to the agent of one member: it names the member and the agent's URL
// (which holds no credentials) and never carries the password.
type Error struct {
	Member string
	URL    string
	// Op is the call ("probe", "probe/last", "-/healthy"); empty while building the client.
	Op string
	// Status is the agent's HTTP status, 0 when there was no answer.
	Status int
	err    error
}

func (e *Error) Error() string {
	what := "disk agent of member " + e.Member + " at " + e.URL
	if e.Op != "" {
		what += ": " + e.Op
	}
	return what + ": " + e.err.Error()
}

func (e *Error) Unwrap() error { return e.err }

func newError(a clusterconfig.DiskAgent, op string, err error) *Error {
	return &Error{Member: a.Member, URL: a.URL, Op: op, err: err}
}

// newStatusError is the error of an answer other than 200, with the agent's own message.
func newStatusError(a clusterconfig.DiskAgent, op string, status int, body []byte) *Error {
	var kind error
	switch status {
	case http.StatusConflict:
		kind = ErrBusy
	case http.StatusTooManyRequests:
		kind = ErrOverBudget
	case http.StatusBadRequest:
		kind = ErrRejected
	case http.StatusUnauthorized, http.StatusForbidden:
		kind = ErrUnauthorized
	case http.StatusNotFound:
		if op == "probe/last" {
			kind = ErrNoResult
		}
	}
	msg := agentMessage(body)
	var err error
	switch {
	case kind != nil && msg != "":
		err = fmt.Errorf("%w (%d %s): %s", kind, status, http.StatusText(status), msg)
	case kind != nil:
		err = fmt.Errorf("%w (%d %s)", kind, status, http.StatusText(status))
	case msg != "":
		err = fmt.Errorf("answered %d %s: %s", status, http.StatusText(status), msg)
	default:
		err = fmt.Errorf("answered %d %s", status, http.StatusText(status))
	}
	e := newError(a, op, err)
	e.Status = status
	return e
}

// agentMessage is the "error" of the agent's JSON answer, or its first line of text, cut to
// maxAgentMessage bytes.
func agentMessage(body []byte) string {
	var b struct {
		Error string `json:"error"`
	}
	msg := ""
	if json.Unmarshal(body, &b) == nil && b.Error != "" {
		msg = b.Error
	} else {
		msg, _, _ = strings.Cut(string(body), "\n")
	}
	msg = strings.TrimSpace(msg)
	if len(msg) > maxAgentMessage {
		msg = msg[:maxAgentMessage]
		for !utf8.ValidString(msg) {
			msg = msg[:len(msg)-1]
		}
		msg += "…"
	}
	return strings.ToValidUTF8(msg, "?")
}
