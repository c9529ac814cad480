package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"filippo.io/age"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

func TestMain(m *testing.M) {
	RunDrillMemberIfRequested()
	etcdtest.RunMemberIfRequested()
	code := m.Run()
	etcdtest.StopShared()
	os.Exit(code)
}

func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func connectB(b *testing.B, endpoints []string) *etcdconn.Cluster {
	conn, err := etcdconn.New(clusterconfig.Cluster{Name: "bench", Endpoints: endpoints})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return conn
}

func mustDirB(b *testing.B, path string) *location.Dir {
	d, err := location.NewDir(path)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// connect makes the cluster connection the engine uses to the given endpoints.
func connect(t *testing.T, name string, endpoints []string) *etcdconn.Cluster {
	t.Helper()
	conn, err := etcdconn.New(clusterconfig.Cluster{Name: name, Endpoints: endpoints})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// newDir is a fresh directory location.
func newDir(t *testing.T) *location.Dir {
	t.Helper()
	d, err := location.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sharedEngine is an engine on the test binary's shared member, cluster named for the test so
// that its backups are its own.
func sharedEngine(t *testing.T, loc location.Location, mod func(*Config)) (*Engine, *clientv3.Client) {
	t.Helper()
	c := etcdtest.Shared(t)
	cli, err := c.Client()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	cfg := Config{Cluster: clusterName(t), Conn: connect(t, clusterName(t), c.Endpoints()), Location: loc,
		ScratchDir: t.TempDir(), Drill: DrillCommand{Path: os.Args[0]}}
	if mod != nil {
		mod(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e, cli
}

func clusterName(t *testing.T) string {
	return strings.NewReplacer("/", "-", "_", "-").Replace(strings.ToLower(t.Name()))
}

// fill puts n keys of size bytes each under prefix.
func fill(t *testing.T, cli *clientv3.Client, prefix string, n, size int) {
	t.Helper()
	val := strings.Repeat("v", size)
	for i := range n {
		if _, err := cli.Put(context.Background(), fmt.Sprintf("%s/%06d", prefix, i), val); err != nil {
			t.Fatal(err)
		}
	}
}

// ageKey writes a new age identity to a file outside any location and returns its file and
// recipient.
func ageKey(t *testing.T) (string, string, string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "backup.key")
	if err := os.WriteFile(path, []byte("# test key\n"+id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, id.Recipient().String(), id.String()
}

// noScratchLeft fails the test when the scratch directory holds anything.
func noScratchLeft(t *testing.T, e *Engine) {
	t.Helper()
	if entries, _ := os.ReadDir(e.cfg.ScratchDir); len(entries) != 0 {
		t.Fatalf("scratch left behind: %v", entries)
	}
}

func mustDir(t *testing.T, path string) *location.Dir {
	t.Helper()
	d, err := location.NewDir(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
