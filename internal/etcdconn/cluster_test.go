package etcdconn

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.etcd.io/etcd/server/v3/embed"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// entry is a cluster entry for endpoints with long timeouts: a test that ends proves nothing waited
// for them.
func entry(endpoints ...string) clusterconfig.Cluster {
	return clusterconfig.Cluster{Name: "c", Endpoints: endpoints,
		DialTimeout: model.Duration(time.Minute), RequestTimeout: model.Duration(time.Minute)}
}

func newCluster(t *testing.T, cfg clusterconfig.Cluster) *Cluster {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func minute(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestClusterAndMemberClientsReachTheCluster(t *testing.T) {
	ec := etcdtest.New(t, etcdtest.Config{Size: 3})
	c := newCluster(t, entry(ec.Endpoints()...))
	if c.ReadyClient() != nil {
		t.Error("ReadyClient before any Client call: want nil")
	}
	cli, err := c.Client(minute(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Put(minute(t), "k", "v"); err != nil {
		t.Fatal(err)
	}
	if c.ReadyClient() != cli {
		t.Error("ReadyClient is not the client made")
	}
	for _, ep := range ec.Endpoints() {
		m, err := c.Member(minute(t), ep)
		if err != nil {
			t.Fatal(err)
		}
		st, err := m.Maintenance.Status(minute(t), ep)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := c.Member(minute(t), ep)
		if again != m {
			t.Error("a second Member call made a new client")
		}
		if st.Header.MemberId == 0 {
			t.Error("no member id")
		}
	}
	if n := c.RequestCounts()[ec.Endpoints()[0]]; n != 1 {
		t.Errorf("requests to the first member = %d, want 1 (its Status)", n)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := c.Member(minute(t), ec.Endpoints()[0]); err == nil {
		t.Error("Member after Close: want an error")
	}
}

// A refused endpoint is reported as refused although dial and request timeouts are a minute: by
// the request without auth (the client is made without dialling), by Member and Client with auth
// (making the client means logging in).
func TestRefusedEndpointIsReportedAtOnce(t *testing.T) {
	ep := "http://" + closedEndpoint(t)
	// Without auth the pinned client is made at once, so the refusal usually comes with the
	// first request; the endpoint's diagnosis, which runs meanwhile, may report it first.
	m, err := newCluster(t, entry(ep)).Member(minute(t), ep)
	if err == nil {
		err = m.Do(minute(t), func(ctx context.Context) error { _, err := m.Client.Get(ctx, "k"); return err })
	}
	if got := ReasonOf(err); got != "refused" {
		t.Errorf("member or its request = %v (%q), want refused", err, got)
	}
	withAuth := entry(ep)
	withAuth.Username, withAuth.Password = "root", "pw"
	c := newCluster(t, withAuth)
	for range 2 {
		_, err := c.Member(minute(t), ep)
		if got := ReasonOf(err); got != "refused" {
			t.Fatalf("Member = %v (%q), want refused", err, got)
		}
		_, err = c.Client(minute(t))
		if got := ReasonOf(err); got != "refused" {
			t.Fatalf("Client = %v (%q), want refused", err, got)
		}
	}
}

// A member whose client was made earlier and then stopped: its request fails as refused, not at
// the end of its one-minute deadline.
func TestRequestToStoppedMemberIsReportedRefused(t *testing.T) {
	ec := etcdtest.New(t, etcdtest.Config{Size: 1})
	ep := ec.Endpoints()[0]
	c := newCluster(t, entry(ep))
	m, err := c.Member(minute(t), ep)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Do(minute(t), func(ctx context.Context) error { _, err := m.Maintenance.Status(ctx, ep); return err }); err != nil {
		t.Fatal(err)
	}
	ec.Members[0].Stop(t)
	// On a loaded machine a request may still time out while gRPC reconnects; the
	// reason settles on refused once a dial has failed. Any third reason is a bug.
	deadline := time.Now().Add(30 * time.Second)
	for {
		err = m.Do(minute(t), func(ctx context.Context) error { _, err := m.Maintenance.Status(ctx, ep); return err })
		got := ReasonOf(err)
		if got == "refused" {
			return
		}
		if got != "timeout" || time.Now().After(deadline) {
			t.Fatalf("Status of a stopped member = %v (%q), want refused", err, got)
		}
	}
}

func TestTLSAndAuthFailuresAreNamed(t *testing.T) {
	ec := etcdtest.New(t, etcdtest.Config{Size: 1, TLS: true, Auth: true})
	f := ec.TLS
	other := etcdtest.New(t, etcdtest.Config{Size: 1, TLS: true}).TLS
	dir := t.TempDir()
	pw := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := clusterconfig.TLS{CAFile: f.CAFile, CertFile: f.ClientCertFile, KeyFile: f.ClientKeyFile}
	for _, tc := range []struct {
		name   string
		tls    clusterconfig.TLS
		pwFile string
		want   string
	}{
		{"valid", good, pw("right", ec.RootPassword), ""},
		{"untrusted CA", clusterconfig.TLS{CAFile: other.CAFile, CertFile: f.ClientCertFile, KeyFile: f.ClientKeyFile}, pw("right", ec.RootPassword), "tls_unknown_authority"},
		{"wrong hostname", clusterconfig.TLS{CAFile: f.CAFile, CertFile: f.ClientCertFile, KeyFile: f.ClientKeyFile, ServerName: "etcd.elsewhere.example"}, pw("right", ec.RootPassword), "tls_hostname_mismatch"},
		{"client certificate of another CA", clusterconfig.TLS{CAFile: f.CAFile, CertFile: other.ClientCertFile, KeyFile: other.ClientKeyFile}, pw("right", ec.RootPassword), "tls_client_cert_rejected"},
		{"wrong password", good, pw("wrong", "not-the-password"), "auth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := entry(ec.Endpoints()...)
			cfg.TLS, cfg.Username, cfg.PasswordFile = tc.tls, "root", tc.pwFile
			c := newCluster(t, cfg)
			// Twice: the second request finds the connection as the first left it.
			for range 2 {
				m, err := c.Member(minute(t), ec.Endpoints()[0])
				if err == nil {
					err = m.Do(minute(t), func(ctx context.Context) error { _, err := m.Client.Get(ctx, "k"); return err })
				}
				if got := ReasonOf(err); got != tc.want {
					t.Errorf("got %q (%v), want %q", got, err, tc.want)
				}
				if err != nil && strings.Contains(err.Error(), ec.RootPassword) {
					t.Error("the error shows the password")
				}
			}
		})
	}
}

func TestSameAsSeesARotatedFile(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := entry("http://127.0.0.1:2379")
	cfg.Username, cfg.PasswordFile = "u", pw
	c := newCluster(t, cfg)
	if !c.SameAs(cfg) {
		t.Error("SameAs the same entry and files: false")
	}
	changed := cfg
	changed.RequestTimeout = model.Duration(time.Second)
	if c.SameAs(changed) {
		t.Error("SameAs a changed entry: true")
	}
	if err := os.WriteFile(pw, []byte("second"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c.SameAs(cfg) {
		t.Error("SameAs after the password file was rewritten: true")
	}
}

func TestSameAsIgnoresWhatTheConnectionDoesNotUse(t *testing.T) {
	cfg := entry("http://127.0.0.1:2379")
	c := newCluster(t, cfg)
	changed := cfg
	changed.Protected = true
	changed.DiskAgents = []clusterconfig.DiskAgent{{Member: "m1", URL: "http://127.0.0.1:9982"}}
	if !c.SameAs(changed) {
		t.Error("SameAs an entry that differs only in protected and disk_agents: false (the reload would drop clients and watches)")
	}
}

func TestNewRejectsAFileThatDoesNotLoad(t *testing.T) {
	cfg := entry("https://127.0.0.1:2379")
	cfg.TLS.CAFile = filepath.Join(t.TempDir(), "missing.crt")
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "ca_file") {
		t.Fatalf("New = %v, want an error naming ca_file", err)
	}
}

// etcd's server accepts one keepalive ping per --grpc-keepalive-min-time (5s by default) and none
// without an open stream; more gets the connection closed with too_many_pings.
func TestClientKeepaliveIsWhatEtcdAccepts(t *testing.T) {
	cc, err := entry("http://127.0.0.1:2379").ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cc.DialKeepAliveTime < embed.DefaultGRPCKeepAliveMinTime {
		t.Errorf("DialKeepAliveTime %s is below etcd's minimum %s", cc.DialKeepAliveTime, embed.DefaultGRPCKeepAliveMinTime)
	}
	if cc.PermitWithoutStream {
		t.Error("PermitWithoutStream: etcd's enforcement policy does not permit pings without a stream")
	}
	if cc.DialKeepAliveTimeout <= 0 {
		t.Error("DialKeepAliveTimeout not set")
	}
}
