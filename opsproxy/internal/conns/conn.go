package conns

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// Conn is the connection to one configured cluster as opsproxy serves it: the shared
// etcdconn.Cluster (a client over all endpoints made in the background, pinned member
// clients), the batchers that merge concurrent reads and writes, and its life across reloads.
type Conn struct {
	cluster *etcdconn.Cluster
	cfg     clusterconfig.Cluster
	timeout time.Duration
	logger  *slog.Logger
	// reads merges concurrent single-key reads into one transaction, and writes concurrent
	// puts (nil when limits.merge_concurrent_writes is false).
	reads, writes *Batcher
	// limits are the limits the connection was made with: a reload that changes those New
	// uses makes a new connection (see SameAs).
	limits config.LimitsConfig
	// life counts the requests using the connection and ends its watches when a reload
	// retires it (see reload.go).
	life connLife

	// lastFailure is the kind of the last failure to make the client; nil once it is made.
	lastFailure atomic.Pointer[string]

	mu     sync.Mutex
	closed bool
}

// New checks the cluster's client configuration (a bad TLS file stops the server at
// start) and starts making its client in the background.
func New(cfg clusterconfig.Cluster, limits config.LimitsConfig, logger *slog.Logger) (*Conn, error) {
	cluster, err := etcdconn.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", cfg.Name, err)
	}
	timeout := time.Duration(cfg.RequestTimeout)
	c := &Conn{cluster: cluster, cfg: cfg, timeout: timeout, logger: logger.With("cluster", cfg.Name),
		reads: newReadBatcher(timeout), limits: limits}
	if limits.MergeWrites() {
		c.writes = newWriteBatcher(timeout, limits.MaxRequestBytes-RequestOverhead)
	}
	c.life.init()
	go c.connect()
	return c, nil
}

// connect starts making the cluster's client at once, so that the first request finds it
// ready; a failure is logged as a warning and retried by the next request.
func (c *Conn) connect() {
	_, err := c.cluster.Client(context.Background())
	c.noteConnect(err)
	if err != nil && !c.IsClosed() {
		c.logger.Warn("cannot connect to etcd; retrying on the next request", "reason", etcdconn.ReasonOf(err), "err", err)
	}
}

// SameAs reports whether New would make this connection again from cfg and limits:
// the same entry, the same content in the files it names (a rotated certificate or password
// file needs a new client) and the same limits of those New uses.
func (c *Conn) SameAs(cfg clusterconfig.Cluster, limits config.LimitsConfig) bool {
	return c.cluster.SameAs(cfg) &&
		c.limits.MergeWrites() == limits.MergeWrites() && c.limits.MaxRequestBytes == limits.MaxRequestBytes
}

// Client returns the cluster's client, waiting at most until ctx ends for it to be made. A
// failed attempt is retried here, in the background, so neither an unreachable cluster nor a
// slow etcd login holds a request past its context. The errors are apihttp errors naming the
// cluster and the kind of failure: 502 or 503 when the client could not be made, 503 while
// it is still being made.
func (c *Conn) Client(ctx context.Context) (*clientv3.Client, error) {
	if c.IsClosed() {
		return nil, apihttp.Errorf(http.StatusServiceUnavailable, "cluster %s: server is shutting down", c.cfg.Name)
	}
	cli, err := c.cluster.Client(ctx)
	if err == nil {
		c.noteConnect(nil)
		return cli, nil
	}
	if ctx.Err() != nil {
		return nil, apihttp.Wrap(http.StatusServiceUnavailable, fmt.Sprintf("cluster %s: still connecting to etcd", c.cfg.Name), err)
	}
	c.noteConnect(err)
	return nil, c.connectError(err)
}

// connectError answers a failure to reach the cluster, naming the cluster and the kind of
// failure (refused, tls, auth, timeout, unreachable).
func (c *Conn) connectError(err error) error {
	code, msg := apihttp.StatusOf(err)
	if code < 500 || code == http.StatusGatewayTimeout {
		code = http.StatusServiceUnavailable
	}
	return apihttp.Wrap(code, fmt.Sprintf("cluster %s: cannot connect to etcd (%s): %s", c.cfg.Name, etcdconn.ReasonOf(err), msg), err)
}

// ReadyClient returns the client when it is made, and nil otherwise; it never waits.
func (c *Conn) ReadyClient() *clientv3.Client { return c.cluster.ReadyClient() }

// Close closes the clients (once); those still being made are closed when ready.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	return c.cluster.Close()
}

// Member returns the client pinned to one member's endpoint (kept with the connection; the
// caller does not close it), waiting at most until ctx ends for it.
func (c *Conn) Member(ctx context.Context, endpoint string) (*etcdconn.Member, error) {
	m, err := c.cluster.Member(ctx, endpoint)
	if err != nil {
		return nil, c.connectError(err)
	}
	return m, nil
}

// RequestCtx bounds one request to the cluster by its request timeout.
func (c *Conn) RequestCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// Cluster is the shared etcd connection, for code that works member by member (backups).
func (c *Conn) Cluster() *etcdconn.Cluster { return c.cluster }

// Config is the cluster entry the connection was made from.
func (c *Conn) Config() clusterconfig.Cluster { return c.cfg }

// Reads merges concurrent single-key reads into one transaction.
func (c *Conn) Reads() *Batcher { return c.reads }

// Writes merges concurrent puts into one transaction; nil when limits.merge_concurrent_writes
// is false.
func (c *Conn) Writes() *Batcher { return c.writes }
