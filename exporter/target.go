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

	leader   leaderTracker
	hashkv   hashkvCache
	names    memberNameCache
	canaryID string
}

// memberConn is a client pinned to one endpoint, so that every request of a probe reaches the
// member it is meant for. Maintenance requests reuse its connection instead of dialling anew.
type memberConn struct {
	cli         *clientv3.Client
	maintenance clientv3.Maintenance
	// requests counts the requests made to the member, for etcd_monitor_member_requests_total.
	requests atomic.Uint64
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

// member returns the client of an endpoint, creating it on first use. Creating a client does not
// wait for the connection: an unreachable member fails its requests, not this call.
func (t *target) member(endpoint string) (*memberConn, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if m, ok := t.members[endpoint]; ok {
		return m, nil
	}
	cc, err := t.cfg.ClientConfig(endpoint)
	if err != nil {
		return nil, err
	}
	m := &memberConn{}
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
		return nil, fmt.Errorf("client for %s: %w", endpoint, err)
	}
	m.cli = cli
	m.maintenance = clientv3.NewMaintenanceFromMaintenanceClient(pb.NewMaintenanceClient(cli.ActiveConnection()), cli)
	t.members[endpoint] = m
	return m, nil
}

// close releases every connection of the target.
func (t *target) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for ep, m := range t.members {
		m.cli.Close()
		delete(t.members, ep)
	}
}

// requestCounts returns, per endpoint with a client, how many requests the exporter has made to it.
func (t *target) requestCounts() map[string]uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]uint64, len(t.members))
	for ep, m := range t.members {
		out[ep] = m.requests.Load()
	}
	return out
}
