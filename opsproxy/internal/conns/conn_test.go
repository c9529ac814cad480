package conns

import (
	"context"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
)

// A request waits for the cluster's client only within its own context: with the cluster's
// login still under way it is answered 503 when the request ends first.
func TestRequestWaitsForTheClusterClientOnlyWithinItsContext(t *testing.T) {
	conn := &Conn{}
	conn.cfg.Name = "slow"
	conn.conn.Store(&attempt{ready: make(chan struct{})})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := conn.Client(ctx)
	code, msg := apihttp.StatusOf(err)
	if code != 503 || msg != "cluster slow: still connecting to etcd" {
		t.Fatalf("client of a cluster still connecting: %d %q", code, msg)
	}
}
