package etcdconn

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
)

// Cluster is the connection to one configured cluster: a client over all its endpoints and a
// client pinned to each member, each made in the background on first use (with etcd auth, making
// a client means logging in, which waits for the members), made again on the next use after a
// failed attempt, and closed once by Close. It is safe for concurrent use.
type Cluster struct {
	cfg   clusterconfig.Cluster
	files [sha256.Size]byte
	tls   *tls.Config

	mu       sync.Mutex
	closed   bool
	all      *attempt[*clientv3.Client]
	members  map[string]*attempt[*Member]
	requests map[string]*atomic.Uint64
}

// New checks the cluster's client configuration (a TLS file that does not load or a password
// that cannot be read is an error now) and returns its connection; nothing is dialled yet.
func New(cfg clusterconfig.Cluster) (*Cluster, error) {
	if _, err := cfg.ClientConfig(); err != nil {
		return nil, fmt.Errorf("cluster %s: %w", cfg.Name, err)
	}
	c := &Cluster{cfg: cfg, files: FileDigest(cfg), members: map[string]*attempt[*Member]{}, requests: map[string]*atomic.Uint64{}}
	if cfg.TLS.Enabled() {
		tc, err := cfg.TLS.Config()
		if err != nil {
			return nil, fmt.Errorf("cluster %s: tls: %w", cfg.Name, err)
		}
		c.tls = tc
	}
	return c, nil
}

// Config is the cluster entry the connection was made from. Fields that do not shape the
// connection (protected, disk_agents) may be older than the configuration served, since a
// reload that changes only them keeps the connection: read those from the configuration.
func (c *Cluster) Config() clusterconfig.Cluster { return c.cfg }

// SameAs reports whether New would make this connection again from cfg: the same entry, but
// for the fields that do not shape the connection, and the same content in the files it names
// (a certificate, key, CA or password file rotated under the same path needs new clients).
// Adding a disk agent or protecting a cluster therefore keeps its clients and open watches.
func (c *Cluster) SameAs(cfg clusterconfig.Cluster) bool {
	return reflect.DeepEqual(connectionFields(c.cfg), connectionFields(cfg)) && c.files == FileDigest(cfg)
}

// connectionFields is cfg without the fields the connection does not use.
func connectionFields(cfg clusterconfig.Cluster) clusterconfig.Cluster {
	cfg.Protected = false
	cfg.DiskAgents = nil
	return cfg
}

// attempt is one try at making a client; ready is closed once val or err is set.
type attempt[T any] struct {
	ready chan struct{}
	val   T
	err   error
}

func newAttempt[T any]() *attempt[T] { return &attempt[T]{ready: make(chan struct{})} }

// failed reports whether the attempt has ended in an error.
func (a *attempt[T]) failed() bool {
	select {
	case <-a.ready:
		return a.err != nil
	default:
		return false
	}
}

var errClosed = errors.New("connection closed (cluster removed from the configuration, or shutting down)")

// Client returns the client over all the cluster's endpoints, waiting at most until ctx ends for
// it to be made. The first call starts making it; a failed attempt is retried by the next call.
// The error is an *Error.
func (c *Cluster) Client(ctx context.Context) (*clientv3.Client, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, &Error{Kind: KindOther, Err: errClosed}
	}
	if c.all == nil || c.all.failed() {
		c.all = newAttempt[*clientv3.Client]()
		go c.connectAll(c.all)
	}
	a := c.all
	c.mu.Unlock()
	return wait(ctx, a, c.cfg.Endpoints, c.tls)
}

// ReadyClient returns the client over all endpoints when it is made, nil otherwise; it never waits.
func (c *Cluster) ReadyClient() *clientv3.Client {
	c.mu.Lock()
	a := c.all
	c.mu.Unlock()
	if a == nil {
		return nil
	}
	select {
	case <-a.ready:
		return a.val
	default:
		return nil
	}
}

func (c *Cluster) connectAll(a *attempt[*clientv3.Client]) {
	cli, err := c.newClient(c.cfg.Endpoints)
	finish(c, a, cli, err, func() { a.val = cli })
}

// newClient makes a client for the endpoints, with opts added to its dial options.
func (c *Cluster) newClient(endpoints []string, opts ...grpc.DialOption) (*clientv3.Client, error) {
	cc, err := c.cfg.ClientConfig(endpoints...)
	if err != nil {
		return nil, fmt.Errorf("client for %v: %w", endpoints, err)
	}
	cc.DialOptions = append(cc.DialOptions, opts...)
	cli, err := clientv3.New(cc)
	if err != nil {
		return nil, fmt.Errorf("client for %v: %w", endpoints, err)
	}
	return cli, nil
}

// finish ends an attempt: the client is kept unless the connection was closed meanwhile.
func finish[T any](c *Cluster, a *attempt[T], cli *clientv3.Client, err error, keep func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil && c.closed {
		cli.Close()
		err = errClosed
	}
	if err != nil {
		a.err = err
	} else {
		keep()
	}
	// Closed under c.mu, so that Close sees either a ready client or an attempt that sees c.closed.
	close(a.ready)
}

// wait waits for an attempt until ctx ends. Meanwhile the endpoints are diagnosed, so that a
// refused connection or a TLS failure is reported at once, not as a timeout when ctx ends.
func wait[T any](ctx context.Context, a *attempt[T], endpoints []string, tc *tls.Config) (T, error) {
	var zero T
	select {
	case <-a.ready:
		if a.err != nil {
			return zero, explain(ctx, a.err, endpoints, tc)
		}
		return a.val, nil
	default:
	}
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	diag := make(chan error, 1)
	go func() { diag <- diagnoseAll(dctx, endpoints, tc) }()
	for {
		select {
		case <-a.ready:
			if a.err != nil {
				return zero, explain(ctx, a.err, endpoints, tc)
			}
			return a.val, nil
		case err := <-diag:
			if errDefinite(err) {
				return zero, err
			}
			diag = nil
		case <-ctx.Done():
			return zero, &Error{Kind: KindTimeout, Err: fmt.Errorf("still connecting to %v: %w", endpoints, ctx.Err())}
		}
	}
}

// diagnoseAll diagnoses every endpoint; it returns an error only when every one fails, the first.
func diagnoseAll(ctx context.Context, endpoints []string, tc *tls.Config) error {
	errs := make([]error, len(endpoints))
	var wg sync.WaitGroup
	for i, ep := range endpoints {
		wg.Go(func() { errs[i] = Diagnose(ctx, ep, tc) })
	}
	wg.Wait()
	for _, err := range errs {
		if err == nil {
			return nil
		}
	}
	return errs[0]
}

// explain classifies an error; when the error itself does not say why (a timeout, or gRPC's
// "unavailable"), the endpoints are diagnosed, if ctx leaves time for it.
func explain(ctx context.Context, err error, endpoints []string, tc *tls.Config) error {
	e := Classify(err)
	if errDefinite(e) || ctx.Err() != nil {
		return e
	}
	if d := diagnoseAll(ctx, endpoints, tc); errDefinite(d) {
		return d
	}
	return e
}

// Close closes every client (once); those still being made are closed when ready.
func (c *Cluster) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	var errs []error
	if c.all != nil && isReady(c.all) && c.all.val != nil {
		errs = append(errs, c.all.val.Close())
	}
	for _, a := range c.members {
		if isReady(a) && a.val != nil {
			errs = append(errs, a.val.Client.Close())
		}
	}
	return errors.Join(errs...)
}

func isReady[T any](a *attempt[T]) bool {
	select {
	case <-a.ready:
		return true
	default:
		return false
	}
}
