package exporter

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
)

// target is one configured cluster and what the exporter keeps about it between scrapes: a
// client per member endpoint, the last leader seen, and the cached HashKV comparison.
type target struct {
	cfg      clusterconfig.Cluster
	settings ProbeSettings
	logger   *slog.Logger

	mu      sync.Mutex
	members map[string]*memberConn
	closed  bool

	leader   leaderTracker
	hashkv   hashkvCache
	names    memberNameCache
	canaryID string
}

// memberConn is a client pinned to one endpoint, so that every request of a probe reaches the
// member it is meant for. Maintenance requests reuse its connection instead of dialling anew.
// The client is made in the background (with etcd auth, making it means logging in, which waits
// for the member); ready is closed once cli or err is set.
type memberConn struct {
	ready       chan struct{}
	cli         *clientv3.Client
	maintenance clientv3.Maintenance
	err         error
	// requests counts the requests made to the member, for etcd_monitor_member_requests_total.
	requests atomic.Uint64
}

// failed reports whether making the client has ended in an error.
func (m *memberConn) failed() bool {
	select {
	case <-m.ready:
		return m.err != nil
	default:
		return false
	}
}

func newTarget(cfg clusterconfig.Cluster, settings ProbeSettings, logger *slog.Logger, canaryID string) *target {
	return &target{
		cfg:      cfg,
		settings: settings,
		logger:   logger.With("cluster", cfg.Name),
		members:  map[string]*memberConn{},
		canaryID: canaryID,
	}
}

// sameConfig reports whether the target was built from exactly this configuration, in which case
// a reload keeps it (and its connections and history).
func (t *target) sameConfig(cfg clusterconfig.Cluster, settings ProbeSettings) bool {
	return reflect.DeepEqual(t.cfg, cfg) && reflect.DeepEqual(t.settings, settings)
}

// member returns the client of an endpoint, waiting at most until ctx ends for it to be made.
// The client is made once, in the background, so that neither a member that does not answer nor
// a slow etcd login holds a scrape past its deadline; a failed attempt is retried on the next call.
// An unreachable member without auth gets a client at once and fails its requests instead.
func (t *target) member(ctx context.Context, endpoint string) (*memberConn, error) {
	t.mu.Lock()
	m, ok := t.members[endpoint]
	if !ok || m.failed() {
		m = &memberConn{ready: make(chan struct{})}
		t.members[endpoint] = m
		go t.connect(m, endpoint)
	}
	t.mu.Unlock()
	select {
	case <-m.ready:
		if m.err != nil {
			return nil, m.err
		}
		return m, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("client for %s: still connecting: %w", endpoint, ctx.Err())
	}
}

// connect makes the member's client, bounded by the cluster's dial timeout.
func (t *target) connect(m *memberConn, endpoint string) {
	defer close(m.ready)
	cc, err := t.cfg.ClientConfig(endpoint)
	if err != nil {
		m.err = err
		return
	}
	cc.DialOptions = append(cc.DialOptions,
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			m.requests.Add(1)
			return invoker(ctx, method, req, reply, cc, opts...)
		}),
		grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			m.requests.Add(1)
			return streamer(ctx, desc, cc, method, opts...)
		}))
	cli, err := clientv3.New(cc)
	if err != nil {
		m.err = fmt.Errorf("client for %s: %w", endpoint, err)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		cli.Close()
		m.err = fmt.Errorf("client for %s: cluster removed from the configuration", endpoint)
		return
	}
	m.cli = cli
	m.maintenance = clientv3.NewMaintenanceFromMaintenanceClient(pb.NewMaintenanceClient(cli.ActiveConnection()), cli)
}

// close releases every connection of the target; clients still being made are closed when ready.
func (t *target) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for ep, m := range t.members {
		select {
		case <-m.ready:
			if m.cli != nil {
				m.cli.Close()
			}
		default:
		}
		delete(t.members, ep)
	}
}

// requestCounts returns, per endpoint with a client, how many requests the exporter has made to it.
func (t *target) requestCounts() map[string]uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]uint64, len(t.members))
	for ep, m := range t.members {
		if n := m.requests.Load(); n > 0 {
			out[ep] = n
		}
	}
	return out
}
