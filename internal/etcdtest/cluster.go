package etcdtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Config selects the shape of a test cluster. The zero value is one in-process member without TLS
// or auth; set Size to 3 for anything that involves quorum.
type Config struct {
	// Size is the number of members (default 1).
	Size int
	// TLS serves clients over HTTPS with certificates generated at test time, and requires a
	// client certificate signed by the same CA.
	TLS bool
	// Auth enables etcd authentication with a root user (password in Cluster.RootPassword).
	Auth bool
	// ProcessPerMember runs each member as its own process (the test binary re-executed), so that
	// each member's native /metrics is its own. The test package's TestMain must call RunMemberIfRequested.
	ProcessPerMember bool
	// RealFsync keeps etcd's fsync calls; by default members run with --unsafe-no-fsync so that
	// the suite stays fast on a small machine.
	RealFsync bool
	// QuotaBackendBytes sets --quota-backend-bytes (0: etcd's default).
	QuotaBackendBytes int64
	// StartTimeout bounds how long starting a member may take (default 30s).
	StartTimeout time.Duration
}

// Cluster is a running test cluster. Members are stopped and their data removed at test cleanup.
type Cluster struct {
	Members []*Member
	// TLS holds the generated PKI when Config.TLS is set.
	TLS *TLSFiles
	// RootPassword is the etcd root user's password when Config.Auth is set.
	RootPassword string

	cfg  Config
	logs *logBuffer
}

// New starts a cluster and waits until every member is ready. It fails the test on error.
func New(t testing.TB, cfg Config) *Cluster {
	t.Helper()
	c, err := start(t, cfg)
	if err != nil {
		t.Fatalf("etcdtest: %v", err)
	}
	return c
}

func start(t testing.TB, cfg Config) (*Cluster, error) {
	if cfg.Size <= 0 {
		cfg.Size = 1
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 30 * time.Second
	}
	dir := t.TempDir()
	c := &Cluster{cfg: cfg, logs: &logBuffer{}}
	t.Cleanup(func() {
		c.stopAll()
		if t.Failed() {
			t.Logf("etcdtest: etcd logs (tail):\n%s", c.logs.tail(64<<10))
		}
	})
	scheme := "http"
	if cfg.TLS {
		files, err := GenerateTLS(dir)
		if err != nil {
			return nil, err
		}
		c.TLS = files
		scheme = "https"
	}
	token := randomHex(8)
	var initial []string
	for i := range cfg.Size {
		cp, err := freePort()
		if err != nil {
			return nil, err
		}
		pp, err := freePort()
		if err != nil {
			return nil, err
		}
		m := &Member{
			Name:      fmt.Sprintf("m%d", i),
			ClientURL: fmt.Sprintf("%s://127.0.0.1:%d", scheme, cp),
			PeerURL:   fmt.Sprintf("http://127.0.0.1:%d", pp),
			cluster:   c,
		}
		m.spec = memberSpec{
			Name:              m.Name,
			Dir:               filepath.Join(dir, m.Name),
			ClientURL:         m.ClientURL,
			PeerURL:           m.PeerURL,
			Token:             token,
			TLS:               c.TLS,
			NoFsync:           !cfg.RealFsync,
			QuotaBackendBytes: cfg.QuotaBackendBytes,
		}
		initial = append(initial, m.Name+"="+m.PeerURL)
		c.Members = append(c.Members, m)
	}
	for _, m := range c.Members {
		m.spec.InitialCluster = strings.Join(initial, ",")
	}
	// Start every member before waiting for any: a member is ready only once a quorum has formed.
	var wg sync.WaitGroup
	errs := make([]error, len(c.Members))
	for i, m := range c.Members {
		wg.Go(func() { errs[i] = m.start() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if cfg.Auth {
		c.RootPassword = randomHex(12)
		if err := c.enableAuth(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Endpoints returns the client URLs of every member, in member order.
func (c *Cluster) Endpoints() []string {
	eps := make([]string, len(c.Members))
	for i, m := range c.Members {
		eps[i] = m.ClientURL
	}
	return eps
}

// ClientConfig returns a client configuration for the given endpoints (all members when none are
// given), with the cluster's client certificate and root credentials where those are enabled.
func (c *Cluster) ClientConfig(endpoints ...string) clientv3.Config {
	if len(endpoints) == 0 {
		endpoints = c.Endpoints()
	}
	cfg := clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()}
	if c.TLS != nil {
		tc, err := c.TLS.ClientTLSConfig()
		if err != nil {
			panic(fmt.Sprintf("etcdtest: generated TLS files are unreadable: %v", err))
		}
		cfg.TLS = tc
	}
	if c.RootPassword != "" {
		cfg.Username, cfg.Password = "root", c.RootPassword
	}
	return cfg
}

// Client returns a client for the given endpoints (all members when none are given), closed at cleanup.
func (c *Cluster) Client(t testing.TB, endpoints ...string) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(c.ClientConfig(endpoints...))
	if err != nil {
		t.Fatalf("etcdtest: client: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// Leader returns the index of the member that every running member agrees is the leader, waiting
// up to 10 seconds for an election to settle.
func (c *Cluster) Leader(t testing.TB) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		idx, err := c.leader()
		if err == nil {
			return idx
		}
		if time.Now().After(deadline) {
			t.Fatalf("etcdtest: no agreed leader: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *Cluster) leader() (int, error) {
	ids := map[uint64]int{}
	var leader uint64
	for i, m := range c.Members {
		if !m.Running() {
			continue
		}
		cli, err := clientv3.New(c.ClientConfig(m.ClientURL))
		if err != nil {
			return -1, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		st, err := cli.Status(ctx, m.ClientURL)
		cancel()
		cli.Close()
		if err != nil {
			return -1, fmt.Errorf("status of %s: %w", m.Name, err)
		}
		ids[st.Header.MemberId] = i
		if leader != 0 && st.Leader != leader {
			return -1, fmt.Errorf("members disagree about the leader")
		}
		leader = st.Leader
	}
	idx, ok := ids[leader]
	if leader == 0 || !ok {
		return -1, fmt.Errorf("no running member is the leader")
	}
	return idx, nil
}

func (c *Cluster) enableAuth() error {
	cli, err := clientv3.New(c.ClientConfig())
	if err != nil {
		return fmt.Errorf("client for enabling auth: %w", err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.UserAdd(ctx, "root", c.RootPassword); err != nil {
		return fmt.Errorf("add root user: %w", err)
	}
	if _, err := cli.UserGrantRole(ctx, "root", "root"); err != nil {
		return fmt.Errorf("grant root role: %w", err)
	}
	if _, err := cli.AuthEnable(ctx); err != nil {
		return fmt.Errorf("enable auth: %w", err)
	}
	return nil
}

func (c *Cluster) stopAll() {
	var wg sync.WaitGroup
	for _, m := range c.Members {
		wg.Go(func() { m.shutdown() })
	}
	wg.Wait()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
