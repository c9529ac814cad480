package etcdconn

import (
	"context"
	"sync/atomic"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
)

// Member is a client pinned to one member's endpoint, so that every request reaches the member it
// is meant for.
type Member struct {
	Endpoint string
	Client   *clientv3.Client
	// Maintenance sends maintenance requests (Status, HashKV, AlarmList) over Client's connection;
	// clientv3's own dials the endpoint anew for each request.
	Maintenance clientv3.Maintenance

	cluster *Cluster
}

// Member returns the client pinned to an endpoint, waiting at most until ctx ends for it to be
// made; as Client, it is made once in the background and made again after a failed attempt. An
// endpoint that refuses connections or fails TLS is reported as such without waiting for ctx.
// The error is an *Error.
func (c *Cluster) Member(ctx context.Context, endpoint string) (*Member, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, &Error{Kind: KindOther, Err: errClosed}
	}
	a, ok := c.members[endpoint]
	if !ok || a.failed() {
		a = newAttempt[*Member]()
		c.members[endpoint] = a
		n := c.requests[endpoint]
		if n == nil {
			n = &atomic.Uint64{}
			c.requests[endpoint] = n
		}
		go c.connectMember(a, endpoint, n)
	}
	c.mu.Unlock()
	return wait(ctx, a, []string{endpoint}, c.tls)
}

func (c *Cluster) connectMember(a *attempt[*Member], endpoint string, requests *atomic.Uint64) {
	cli, err := c.newClient([]string{endpoint},
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			requests.Add(1)
			return invoker(ctx, method, req, reply, cc, opts...)
		}),
		grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			requests.Add(1)
			return streamer(ctx, desc, cc, method, opts...)
		}))
	finish(c, a, cli, err, func() {
		a.val = &Member{Endpoint: endpoint, Client: cli, cluster: c,
			Maintenance: clientv3.NewMaintenanceFromMaintenanceClient(pb.NewMaintenanceClient(cli.ActiveConnection()), cli)}
	})
}

// RequestCounts returns, per endpoint with a pinned client, how many requests (unary calls and
// streams) have been made to it since the connection was made.
func (c *Cluster) RequestCounts() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]uint64, len(c.requests))
	for ep, n := range c.requests {
		if v := n.Load(); v > 0 {
			out[ep] = v
		}
	}
	return out
}

// Do runs a request on the member and returns its error as an *Error naming the cause. While the
// member's connection is not up, the endpoint is diagnosed alongside the request, and a refused
// connection or TLS failure ends the request at once instead of at ctx's deadline (gRPC retries
// such a member quietly and then reports only the deadline).
func (m *Member) Do(ctx context.Context, request func(context.Context) error) error {
	tc, eps := m.cluster.tls, []string{m.Endpoint}
	if m.Client.ActiveConnection().GetState() == connectivity.Ready {
		if err := request(ctx); err != nil {
			return explain(ctx, err, eps, tc)
		}
		return nil
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- request(rctx) }()
	diag := make(chan error, 1)
	go func() { diag <- Diagnose(rctx, m.Endpoint, tc) }()
	select {
	case err := <-done:
		if err == nil {
			return nil
		}
		e := Classify(err)
		if errDefinite(e) {
			return e
		}
		if d := <-diag; errDefinite(d) {
			return d
		}
		return e
	case d := <-diag:
		if errDefinite(d) {
			cancel()
			<-done
			return d
		}
		if err := <-done; err != nil {
			return Classify(err)
		}
		return nil
	}
}
