package embedetcd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Config selects the shape of a cluster. The zero value is one in-process member without TLS
// or auth; set Size to 3 for anything that involves quorum.
type Config struct {
	// Dir holds the members' data directories and generated certificates.
	Dir string
	// Size is the number of members (default 1).
	Size int
	// TLS serves clients over HTTPS with certificates generated at test time, and requires a
	// client certificate signed by the same CA.
	TLS bool
	// Auth enables etcd authentication with a root user (password in Cluster.RootPassword).
	Auth bool
	// ProcessPerMember runs each member as its own process (this program re-executed), so that
	// each member's native /metrics is its own. The program must call RunMemberIfRequested first thing
	// (a test package in its TestMain).
	ProcessPerMember bool
	// RealFsync keeps etcd's fsync calls; by default members run with --unsafe-no-fsync so that
	// the suite stays fast on a small machine.
	RealFsync bool
	// QuotaBackendBytes sets --quota-backend-bytes (0: etcd's default).
	QuotaBackendBytes int64
	// StartTimeout bounds how long starting a member may take (default 30s).
	StartTimeout time.Duration
}

// Cluster is a running cluster. Close stops every member.
type Cluster struct {
	Members []*Member
	// TLS holds the generated PKI when Config.TLS is set.
	TLS *TLSFiles
	// RootPassword is the etcd root user's password when Config.Auth is set.
	RootPassword string

	cfg  Config
	logs *logBuffer
}

// Start starts a cluster in cfg.Dir and waits until every member is ready. On error, whatever
// was started is stopped again.
func Start(cfg Config) (*Cluster, error) {
	if cfg.Dir == "" {
		return nil, fmt.Errorf("config: Dir must be set")
	}
	if cfg.Size <= 0 {
		cfg.Size = 1
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 30 * time.Second
	}
	c := &Cluster{cfg: cfg, logs: &logBuffer{}}
	if err := c.start(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) start() error {
	cfg := c.cfg
	scheme := "http"
	if cfg.TLS {
		files, err := GenerateTLS(cfg.Dir)
		if err != nil {
			return err
		}
		c.TLS = files
		scheme = "https"
	}
	token := randomHex(8)
	var initial []string
	for i := range cfg.Size {
		cp, err := FreePort()
		if err != nil {
			return err
		}
		pp, err := FreePort()
		if err != nil {
			return err
		}
		m := &Member{
			Name:      fmt.Sprintf("m%d", i),
			ClientURL: fmt.Sprintf("%s://127.0.0.1:%d", scheme, cp),
			PeerURL:   fmt.Sprintf("http://127.0.0.1:%d", pp),
			cluster:   c,
		}
		m.spec = memberSpec{
			Name:              m.Name,
			Dir:               filepath.Join(cfg.Dir, m.Name),
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
	errs := make([]error, len(c.Members))
	var wg sync.WaitGroup
	for i, m := range c.Members {
		wg.Go(func() { errs[i] = m.start() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if cfg.Auth {
		c.RootPassword = randomHex(12)
		if err := c.enableAuth(); err != nil {
			return err
		}
	}
	return nil
}

// Logs returns at most the last n bytes of etcd's logs (in-process members only; a member
// process's logs are its stderr, kept the same way).
func (c *Cluster) Logs(n int) string { return c.logs.tail(n) }

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
func (c *Cluster) ClientConfig(endpoints ...string) (clientv3.Config, error) {
	if len(endpoints) == 0 {
		endpoints = c.Endpoints()
	}
	cfg := clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()}
	if c.TLS != nil {
		tc, err := c.TLS.ClientTLSConfig()
		if err != nil {
			return clientv3.Config{}, fmt.Errorf("client TLS: %w", err)
		}
		cfg.TLS = tc
	}
	if c.RootPassword != "" {
		cfg.Username, cfg.Password = "root", c.RootPassword
	}
	return cfg, nil
}

// Client returns a client for the given endpoints (all members when none are given).
func (c *Cluster) Client(endpoints ...string) (*clientv3.Client, error) {
	cfg, err := c.ClientConfig(endpoints...)
	if err != nil {
		return nil, err
	}
	return clientv3.New(cfg)
}

// Leader returns the index of the member that every running member agrees is the leader,
// waiting up to timeout for an election to settle.
func (c *Cluster) Leader(timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		idx, err := c.leader()
		if err == nil || time.Now().After(deadline) {
			return idx, err
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
		cli, err := c.Client(m.ClientURL)
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
	cli, err := c.Client()
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

// Close kills every member (no leadership handover: the cluster goes away as a whole) and removes
// black holes. Data directories stay; they belong to Config.Dir.
func (c *Cluster) Close() {
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
