package conns

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// Conn is the connection to one configured cluster: a client over all its endpoints,
// made in the background, and clients to single members made on demand.
type Conn struct {
	cfg     clusterconfig.Cluster
	timeout time.Duration
	logger  *slog.Logger
	// reads merges concurrent single-key reads into one transaction, and writes concurrent
	// puts (nil when limits.merge_concurrent_writes is false).
	reads, writes *Batcher

	// files is the digest of the files cfg names and limits are the limits the connection was
	// made with: a reload that changes either, or cfg, makes a new connection (see sameAs).
	files  [sha256.Size]byte
	limits config.LimitsConfig
	// life counts the requests using the connection and ends its watches when a reload
	// retires it (see reload.go).
	life connLife

	// conn is the latest attempt; it is replaced, under mu, only when it failed.
	conn   atomic.Pointer[attempt]
	mu     sync.Mutex
	closed bool
}

// attempt is one attempt at making the cluster's client (with etcd auth, making it means
// logging in, which waits for the cluster); ready is closed once cli or err is set.
type attempt struct {
	ready chan struct{}
	cli   *clientv3.Client
	err   error
}

// failed reports whether the attempt has ended in an error.
func (e *attempt) failed() bool {
	select {
	case <-e.ready:
		return e.err != nil
	default:
		return false
	}
}

// New checks the cluster's client configuration (a bad TLS file stops the server at
// start) and starts making its client in the background.
func New(cfg clusterconfig.Cluster, limits config.LimitsConfig, logger *slog.Logger) (*Conn, error) {
	if _, err := cfg.ClientConfig(); err != nil {
		return nil, fmt.Errorf("cluster %s: %w", cfg.Name, err)
	}
	timeout := time.Duration(cfg.RequestTimeout)
	c := &Conn{cfg: cfg, timeout: timeout, logger: logger.With("cluster", cfg.Name), reads: newReadBatcher(timeout),
		files: fileDigest(cfg), limits: limits}
	if limits.MergeWrites() {
		c.writes = newWriteBatcher(timeout, limits.MaxRequestBytes-RequestOverhead)
	}
	c.life.init()
	c.mu.Lock()
	c.startLocked()
	c.mu.Unlock()
	return c, nil
}

// SameAs reports whether New would make this connection again from cfg and limits:
// the same entry, the same content in the files it names (a rotated certificate or password
// file needs a new client) and the same limits of those New uses.
func (c *Conn) SameAs(cfg clusterconfig.Cluster, limits config.LimitsConfig) bool {
	return reflect.DeepEqual(c.cfg, cfg) && c.files == fileDigest(cfg) &&
		c.limits.MergeWrites() == limits.MergeWrites() && c.limits.MaxRequestBytes == limits.MaxRequestBytes
}

// startLocked starts a new attempt at making the client; c.mu is held.
func (c *Conn) startLocked() *attempt {
	e := &attempt{ready: make(chan struct{})}
	c.conn.Store(e)
	go c.connect(e)
	return e
}

// connect makes the cluster's client, bounded by the cluster's dial timeout. A failure is
// logged as a warning; the next request tries again.
func (c *Conn) connect(e *attempt) {
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
		_, msg := apihttp.StatusOf(err)
		c.logger.Warn("cannot connect to etcd; retrying on the next request", "err", msg)
	}
}

// Client returns the cluster's client, waiting at most until ctx ends for it to be made. A
// failed attempt is retried here, in the background, so neither an unreachable cluster nor a
// slow etcd login holds a request past its context. The errors are apiErrors naming the
// cluster: 502 or 503 when the client could not be made, 503 while it is still being made.
func (c *Conn) Client(ctx context.Context) (*clientv3.Client, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, apihttp.Errorf(http.StatusServiceUnavailable, "cluster %s: server is shutting down", c.cfg.Name)
	}
	e := c.conn.Load()
	if e.failed() {
		e = c.startLocked()
	}
	c.mu.Unlock()
	select {
	case <-e.ready:
		if e.err != nil {
			code, msg := apihttp.StatusOf(e.err)
			if code < 500 || code == http.StatusGatewayTimeout {
				code = http.StatusServiceUnavailable
			}
			return nil, apihttp.Wrap(code, fmt.Sprintf("cluster %s: cannot connect to etcd: %s", c.cfg.Name, msg), e.err)
		}
		return e.cli, nil
	case <-ctx.Done():
		return nil, apihttp.Wrap(http.StatusServiceUnavailable, fmt.Sprintf("cluster %s: still connecting to etcd", c.cfg.Name), ctx.Err())
	}
}

// ReadyClient returns the client when it is made, and nil otherwise; it never waits.
func (c *Conn) ReadyClient() *clientv3.Client {
	e := c.conn.Load()
	select {
	case <-e.ready:
		return e.cli
	default:
		return nil
	}
}

// Close closes the client (once); one still being made is closed when ready.
func (c *Conn) Close() error {
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

// MemberClient returns a client to one member's endpoint; the caller closes it.
func (c *Conn) MemberClient(endpoint string) (*clientv3.Client, error) {
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

// RequestCtx bounds one request to the cluster by its request timeout.
func (c *Conn) RequestCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// Config is the cluster entry the connection was made from.
func (c *Conn) Config() clusterconfig.Cluster { return c.cfg }

// Reads merges concurrent single-key reads into one transaction.
func (c *Conn) Reads() *Batcher { return c.reads }

// Writes merges concurrent puts into one transaction; nil when limits.merge_concurrent_writes
// is false.
func (c *Conn) Writes() *Batcher { return c.writes }
