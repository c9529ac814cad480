package opsproxy

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
)

// clusterConn is the connection to one configured cluster: a client over all its endpoints,
// made in the background, and clients to single members made on demand.
type clusterConn struct {
	cfg     clusterconfig.Cluster
	timeout time.Duration
	logger  *slog.Logger
	// reads merges concurrent single-key reads into one transaction, and writes concurrent
	// puts (nil when limits.merge_concurrent_writes is false).
	reads, writes *opBatcher

	// files is the digest of the files cfg names and limits are the limits the connection was
	// made with: a reload that changes either, or cfg, makes a new connection (see sameAs).
	files  [sha256.Size]byte
	limits LimitsConfig
	// life counts the requests using the connection and ends its watches when a reload
	// retires it (see reload.go).
	life connLife

	// conn is the latest attempt; it is replaced, under mu, only when it failed.
	conn   atomic.Pointer[etcdConn]
	mu     sync.Mutex
	closed bool
}

// etcdConn is one attempt at making the cluster's client (with etcd auth, making it means
// logging in, which waits for the cluster); ready is closed once cli or err is set.
type etcdConn struct {
	ready chan struct{}
	cli   *clientv3.Client
	err   error
}

// failed reports whether the attempt has ended in an error.
func (e *etcdConn) failed() bool {
	select {
	case <-e.ready:
		return e.err != nil
	default:
		return false
	}
}

// newClusterConn checks the cluster's client configuration (a bad TLS file stops the server at
// start) and starts making its client in the background.
func newClusterConn(cfg clusterconfig.Cluster, limits LimitsConfig, logger *slog.Logger) (*clusterConn, error) {
	if _, err := cfg.ClientConfig(); err != nil {
		return nil, fmt.Errorf("cluster %s: %w", cfg.Name, err)
	}
	timeout := time.Duration(cfg.RequestTimeout)
	c := &clusterConn{cfg: cfg, timeout: timeout, logger: logger.With("cluster", cfg.Name), reads: newReadBatcher(timeout),
		files: fileDigest(cfg), limits: limits}
	if limits.mergeWrites() {
		c.writes = newWriteBatcher(timeout, limits.MaxRequestBytes-requestOverhead)
	}
	c.life.init()
	c.mu.Lock()
	c.startLocked()
	c.mu.Unlock()
	return c, nil
}

// sameAs reports whether newClusterConn would make this connection again from cfg and limits:
// the same entry, the same content in the files it names (a rotated certificate or password
// file needs a new client) and the same limits of those newClusterConn uses.
func (c *clusterConn) sameAs(cfg clusterconfig.Cluster, limits LimitsConfig) bool {
	return reflect.DeepEqual(c.cfg, cfg) && c.files == fileDigest(cfg) &&
		c.limits.mergeWrites() == limits.mergeWrites() && c.limits.MaxRequestBytes == limits.MaxRequestBytes
}

// startLocked starts a new attempt at making the client; c.mu is held.
func (c *clusterConn) startLocked() *etcdConn {
	e := &etcdConn{ready: make(chan struct{})}
	c.conn.Store(e)
	go c.connect(e)
	return e
}

// connect makes the cluster's client, bounded by the cluster's dial timeout. A failure is
// logged as a warning; the next request tries again.
func (c *clusterConn) connect(e *etcdConn) {
	cc, err := c.cfg.ClientConfig()
	var cli *clientv3.Client
	if err == nil {
		cli, err = clientv3.New(cc)
	}
	c.mu.Lock()
	if err == nil && c.closed {
		cli.Close()
		cli, err = nil, errors.New("server closed")
	}
	e.cli, e.err = cli, err
	// Closed under c.mu, so that close sees either a ready client or an attempt that will
	// see c.closed.
	close(e.ready)
	c.mu.Unlock()
	if err != nil {
		_, msg := statusOf(err)
		c.logger.Warn("cannot connect to etcd; retrying on the next request", "err", msg)
	}
}

// client returns the cluster's client, waiting at most until ctx ends for it to be made. A
// failed attempt is retried here, in the background, so neither an unreachable cluster nor a
// slow etcd login holds a request past its context. The errors are apiErrors naming the
// cluster: 502 or 503 when the client could not be made, 503 while it is still being made.
func (c *clusterConn) client(ctx context.Context) (*clientv3.Client, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errorf(http.StatusServiceUnavailable, "cluster %s: server is shutting down", c.cfg.Name)
	}
	e := c.conn.Load()
	if e.failed() {
		e = c.startLocked()
	}
	c.mu.Unlock()
	select {
	case <-e.ready:
		if e.err != nil {
			code, msg := statusOf(e.err)
			if code < 500 || code == http.StatusGatewayTimeout {
				code = http.StatusServiceUnavailable
			}
			return nil, &apiError{status: code, msg: fmt.Sprintf("cluster %s: cannot connect to etcd: %s", c.cfg.Name, msg), err: e.err}
		}
		return e.cli, nil
	case <-ctx.Done():
		return nil, &apiError{status: http.StatusServiceUnavailable,
			msg: fmt.Sprintf("cluster %s: still connecting to etcd", c.cfg.Name), err: ctx.Err()}
	}
}

// readyClient returns the client when it is made, and nil otherwise; it never waits.
func (c *clusterConn) readyClient() *clientv3.Client {
	e := c.conn.Load()
	select {
	case <-e.ready:
		return e.cli
	default:
		return nil
	}
}

// close closes the client (once); one still being made is closed when ready.
func (c *clusterConn) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	e := c.conn.Load()
	select {
	case <-e.ready:
		if e.cli != nil {
			return e.cli.Close()
		}
	default:
	}
	return nil
}

// memberClient returns a client to one member's endpoint; the caller closes it.
func (c *clusterConn) memberClient(endpoint string) (*clientv3.Client, error) {
	cc, err := c.cfg.ClientConfig(endpoint)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", c.cfg.Name, err)
	}
	cli, err := clientv3.New(cc)
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", endpoint, err)
	}
	return cli, nil
}

// requestCtx bounds one request to the cluster by its request timeout.
func (c *clusterConn) requestCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// clusterInfo is one entry of the cluster list.
type clusterInfo struct {
	Name      string   `json:"name"`
	Endpoints []string `json:"endpoints"`
	Reachable bool     `json:"reachable"`
	Error     string   `json:"error,omitempty"`
	ClusterID string   `json:"cluster_id,omitempty"`
	Revision  int64    `json:"revision,omitempty"`
}

// listClusters answers the clusters the token may use, each probed concurrently with a
// serializable read.
func (s *Server) listClusters(c *opCall) (any, error) {
	var conns []*clusterConn
	for name := range s.state.Load().clusters {
		if !c.p.mayUseCluster(name) {
			continue
		}
		// Taken for the request, so that a reload meanwhile does not close it under the probe.
		if conn, ok := s.clusterFor(c.r.Context(), name); ok {
			conns = append(conns, conn)
		}
	}
	slices.SortFunc(conns, func(a, b *clusterConn) int { return strings.Compare(a.cfg.Name, b.cfg.Name) })
	out := make([]clusterInfo, len(conns))
	var wg sync.WaitGroup
	for i, conn := range conns {
		out[i] = clusterInfo{Name: conn.cfg.Name, Endpoints: conn.cfg.Endpoints}
		wg.Go(func() {
			ctx, cancel := conn.requestCtx(c.r.Context())
			defer cancel()
			cli, err := conn.client(ctx)
			if err != nil {
				_, out[i].Error = statusOf(err)
				return
			}
			resp, err := cli.Get(ctx, "health", clientv3.WithSerializable(), clientv3.WithCountOnly())
			if errors.Is(err, rpctypes.ErrPermissionDenied) {
				// Answered by etcd: reachable, although this user may not read the key.
				out[i].Reachable = true
				return
			}
			if err != nil {
				_, out[i].Error = statusOf(err)
				return
			}
			out[i].Reachable = true
			out[i].ClusterID = fmt.Sprintf("%x", resp.Header.ClusterId)
			out[i].Revision = resp.Header.Revision
		})
	}
	wg.Wait()
	return map[string]any{"clusters": out}, nil
}
