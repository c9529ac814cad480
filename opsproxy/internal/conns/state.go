package conns

import (
	"google.golang.org/grpc/connectivity"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
)

// State is how the connection to a cluster stands, for /-/healthy: never a secret, an
// endpoint or an error text, only its kind.
type State struct {
	// State is "connected", "connecting" or "error".
	State string `json:"state"`
	// Error is the kind of the last failure when State is "error": refused, tls, auth,
	// timeout, unreachable or other (see internal/etcdconn), or unavailable and closed for a
	// client whose connection dropped.
	Error string `json:"error,omitempty"`
}

// State reports the connection's state without waiting: whether its client is made and,
// once it is, the state of its gRPC connection.
func (c *Conn) State() State {
	cli := c.cluster.ReadyClient()
	if cli == nil {
		if kind := c.lastFailure.Load(); kind != nil {
			return State{State: "error", Error: *kind}
		}
		return State{State: "connecting"}
	}
	switch cli.ActiveConnection().GetState() {
	case connectivity.Ready:
		return State{State: "connected"}
	case connectivity.TransientFailure:
		return State{State: "error", Error: "unavailable"}
	case connectivity.Shutdown:
		return State{State: "error", Error: "closed"}
	}
	return State{State: "connecting"}
}

// noteConnect remembers the kind of the last failure to make the client (nil: it was made).
func (c *Conn) noteConnect(err error) {
	if err == nil {
		c.lastFailure.Store(nil)
		return
	}
	kind := string(etcdconn.Classify(err).Kind)
	c.lastFailure.Store(&kind)
}
