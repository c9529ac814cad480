package etcdtest

import (
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
)

// Config selects the shape of a test cluster; Dir is ignored (each test gets its own).
type Config = embedetcd.Config

// TLSFiles are the generated PKI of a TLS cluster.
type TLSFiles = embedetcd.TLSFiles

// Cluster is a running test cluster, stopped at test cleanup.
type Cluster struct {
	*embedetcd.Cluster
	Members []*Member
	t       testing.TB
}

// Member is one member of a test cluster, with faults that fail the test when they cannot be
// injected.
type Member struct {
	*embedetcd.Member
	t testing.TB
}

// RunMemberIfRequested turns the test binary into one etcd member when a ProcessPerMember
// cluster started it. Call it first thing in TestMain:
//
//	func TestMain(m *testing.M) {
//		etcdtest.RunMemberIfRequested()
//		os.Exit(m.Run())
//	}
func RunMemberIfRequested() { embedetcd.RunMemberIfRequested() }

// New starts a cluster and waits until every member is ready; etcd's logs are shown only when
// the test fails. It fails the test on error.
func New(t testing.TB, cfg Config) *Cluster {
	t.Helper()
	cfg.Dir = t.TempDir()
	ec, err := embedetcd.Start(cfg)
	if err != nil {
		t.Fatalf("etcdtest: %v", err)
	}
	t.Cleanup(func() {
		ec.Close()
		if t.Failed() {
			t.Logf("etcdtest: etcd logs (tail):\n%s", ec.Logs(64<<10))
		}
	})
	c := &Cluster{Cluster: ec, t: t}
	for _, m := range ec.Members {
		c.Members = append(c.Members, &Member{Member: m, t: t})
	}
	return c
}

// ClientConfig returns a client configuration for the given endpoints (all members when none are
// given), with the client certificate and root credentials where those are enabled.
func (c *Cluster) ClientConfig(endpoints ...string) clientv3.Config {
	c.t.Helper()
	cfg, err := c.Cluster.ClientConfig(endpoints...)
	if err != nil {
		c.t.Fatalf("etcdtest: %v", err)
	}
	return cfg
}

// Client returns a client for the given endpoints (all members when none are given), closed at cleanup.
func (c *Cluster) Client(t testing.TB, endpoints ...string) *clientv3.Client {
	t.Helper()
	cli, err := c.Cluster.Client(endpoints...)
	if err != nil {
		t.Fatalf("etcdtest: client: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// Leader returns the index of the member every running member agrees is the leader, waiting up
// to 10 seconds for an election to settle.
func (c *Cluster) Leader(t testing.TB) int {
	t.Helper()
	idx, err := c.Cluster.Leader(10 * time.Second)
	if err != nil {
		t.Fatalf("etcdtest: no agreed leader: %v", err)
	}
	return idx
}

// Stop shuts the member down cleanly.
func (m *Member) Stop(t testing.TB) {
	t.Helper()
	if err := m.Member.Stop(); err != nil {
		t.Errorf("etcdtest: %v", err)
	}
}

// Restart starts a stopped or black-holed member again.
func (m *Member) Restart(t testing.TB) {
	t.Helper()
	if err := m.Member.Restart(); err != nil {
		t.Fatalf("etcdtest: restart %s: %v", m.Name, err)
	}
}

// Blackhole replaces the member with a listener that accepts connections and never answers.
func (m *Member) Blackhole(t testing.TB) {
	t.Helper()
	if err := m.Member.Blackhole(); err != nil {
		t.Fatalf("etcdtest: %v", err)
	}
}
