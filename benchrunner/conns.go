package benchrunner

import (
	"context"
	"errors"
	"fmt"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// connections are the run's gRPC connections and the clients that share them, as etcd's tool
// sets them up: --conns connections, each to one endpoint in turn (or to the leader with
// --target-leader), and --clients clients spread over them.
type connections struct {
	conns   []*clientv3.Client
	clients []*clientv3.Client

	mu     sync.Mutex
	leases []clientv3.LeaseID
}

// dialAll connects and proves every connection answers within the dial timeout (or the request
// timeout without one: etcd's tool would otherwise wait forever on an unreachable endpoint).
func dialAll(ctx context.Context, p *prepared) (*connections, error) {
	endpoints := p.client.Endpoints
	if p.flags.bool("target-leader") {
		leader, err := leaderEndpoints(ctx, p)
		if err != nil {
			return nil, err
		}
		endpoints = leader
	}
	c := &connections{}
	for i := 0; i < p.flags.int("conns"); i++ {
		cfg := p.client
		cfg.Endpoints = []string{endpoints[i%len(endpoints)]}
		if p.flags.bool("target-leader") {
			cfg.Endpoints = endpoints
		}
		cfg.AutoSyncInterval = p.flags.duration("auto-sync-interval")
		cli, err := newReachableClient(ctx, cfg)
		if err != nil {
			c.close()
			return nil, err
		}
		c.conns = append(c.conns, cli)
	}
	for i := 0; i < p.flags.int("clients"); i++ {
		c.clients = append(c.clients, c.conns[i%len(c.conns)])
	}
	return c, nil
}

// newReachableClient creates a client and checks its endpoint answers a status request.
func newReachableClient(ctx context.Context, cfg clientv3.Config) (*clientv3.Client, error) {
	timeout := cfg.DialTimeout
	if timeout <= 0 {
		timeout = requestTimeout
	}
	if cfg.Logger == nil {
		// The client's retry warnings would interleave with the report; failures reach the
		// report and the error instead.
		cfg.Logger = zap.NewNop()
	}
	cli, err := clientv3.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("dial error: %s: %w", cfg.Endpoints[0], err)
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if _, err := cli.Status(sctx, cfg.Endpoints[0]); err != nil {
		cli.Close()
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("dial error: %s: no answer within the dial timeout (%s): %w", cfg.Endpoints[0], timeout, err)
		}
		return nil, fmt.Errorf("dial error: %s: %w", cfg.Endpoints[0], err)
	}
	return cli, nil
}

// leaderEndpoints finds the leader's client URLs, as etcd's --target-leader does.
func leaderEndpoints(ctx context.Context, p *prepared) ([]string, error) {
	cli, err := newReachableClient(ctx, p.client)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	rctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	members, err := cli.MemberList(rctx)
	if err != nil {
		return nil, fmt.Errorf("failed to get a member list: %w", err)
	}
	var leader uint64
	for _, ep := range cli.Endpoints() {
		if st, err := cli.Status(rctx, ep); err == nil {
			leader = st.Leader
			break
		}
	}
	for _, m := range members.Members {
		if m.ID == leader && len(m.ClientURLs) > 0 {
			return m.ClientURLs, nil
		}
	}
	return nil, errors.New("--target-leader: failed to find a leader endpoint")
}

func (c *connections) addLease(id clientv3.LeaseID) {
	c.mu.Lock()
	c.leases = append(c.leases, id)
	c.mu.Unlock()
}

// cleanup deletes the run's keys and revokes its leases.
func (c *connections) cleanup(ctx context.Context, p *prepared) error {
	var errs []error
	if p.cmd.Writes {
		if _, err := c.conns[0].Delete(ctx, p.prefix, clientv3.WithPrefix()); err != nil {
			errs = append(errs, fmt.Errorf("cleanup: keys under %q left behind: %w", p.prefix, err))
		}
	}
	c.mu.Lock()
	leases := c.leases
	c.mu.Unlock()
	for _, id := range leases {
		if _, err := c.conns[0].Revoke(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("cleanup: lease %x left to expire: %w", int64(id), err))
			break
		}
	}
	return errors.Join(errs...)
}

func (c *connections) close() {
	for _, cli := range c.conns {
		cli.Close()
	}
}

// checkPrefixEmpty refuses a prefix that already holds keys, as etcdctl's check perf does.
func checkPrefixEmpty(ctx context.Context, cli *clientv3.Client, prefix string) error {
	rctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	resp, err := cli.Get(rctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return fmt.Errorf("checking prefix %q: %w", prefix, err)
	}
	if resp.Count > 0 {
		return fmt.Errorf("%w: prefix %q holds %d keys; delete them (etcdctl del --prefix %q) or choose another prefix", ErrPrefixInUse, prefix, resp.Count, prefix)
	}
	return nil
}

// Cleanup deletes the keys a run left under prefix (when its cluster went away before it could)
// and returns how many it deleted.
func Cleanup(ctx context.Context, cfg clientv3.Config, prefix string) (int64, error) {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	cli, err := newReachableClient(ctx, cfg)
	if err != nil {
		return 0, err
	}
	defer cli.Close()
	resp, err := cli.Delete(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		return 0, fmt.Errorf("cleanup of %q: %w", prefix, err)
	}
	return resp.Deleted, nil
}
