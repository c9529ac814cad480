package conns

import (
	"context"
	"errors"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/status"
)

// State is how the connection to a cluster stands, for /-/healthy: never a secret, an
// endpoint or an error text, only its kind.
type State struct {
	// State is "connected", "connecting" or "error".
	State string `json:"state"`
	// Error is the kind of the last failure when State is "error": "auth_failed", "timeout"
	// or "unavailable".
	Error string `json:"error,omitempty"`
}

// State reports the connection's state without waiting: whether its client is made and,
// once it is, the state of its gRPC connection.
func (c *Conn) State() State {
	e := c.conn.Load()
	select {
	case <-e.ready:
	default:
		return State{State: "connecting"}
	}
	if e.err != nil {
		return State{State: "error", Error: errorKind(e.err)}
	}
	switch e.cli.ActiveConnection().GetState() {
	case connectivity.Ready:
		return State{State: "connected"}
	case connectivity.TransientFailure:
		return State{State: "error", Error: "unavailable"}
	case connectivity.Shutdown:
		return State{State: "error", Error: "closed"}
	}
	return State{State: "connecting"}
}

// errorKind names the kind of a connection failure.
func errorKind(err error) string {
	switch {
	case errors.Is(err, rpctypes.ErrAuthFailed), errors.Is(err, rpctypes.ErrPermissionDenied),
		errors.Is(err, rpctypes.ErrUserEmpty), errors.Is(err, rpctypes.ErrInvalidAuthToken):
		return "auth_failed"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	if s, ok := status.FromError(err); ok && s.Code() == codes.DeadlineExceeded {
		return "timeout"
	}
	return "unavailable"
}
