package cli

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/alecthomas/kingpin/v2"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

func TestMain(m *testing.M) {
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

// result is one run of `etcd-monitor backup …`.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run runs `etcd-monitor backup args…` as main does: kingpin parse errors exit 2.
func run(t *testing.T, args ...string) result {
	t.Helper()
	app := kingpin.New("etcd-monitor", "")
	c := RegisterCommand(app)
	var out, errb bytes.Buffer
	c.stdout, c.stderr = &out, &errb
	app.UsageWriter(&errb)
	app.ErrorWriter(&errb)
	chosen, err := app.Parse(append([]string{"backup"}, args...))
	if err != nil {
		return result{code: 2, stderr: err.Error()}
	}
	if !c.Matches(chosen) {
		t.Fatalf("chosen %q", chosen)
	}
	code := c.Run(ctxFor(t), slog.New(slog.DiscardHandler))
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// fixture is a cluster "prod" on the shared member with keys under its own prefix, a directory
// location "local" holding its backups, and opsproxy's configuration file naming both.
type fixture struct {
	prefix   string // the keys' prefix
	dir      string // the location's directory
	config   string // the configuration file
	identity string // the age identity, when encrypted
	engine   *backup.Engine
	cli      *clientv3.Client
	endpoint []string
}

func newFixture(t *testing.T, encrypted bool) *fixture {
	t.Helper()
	c := etcdtest.Shared(t)
	cli, err := c.Client()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	f := &fixture{prefix: "/" + strings.ReplaceAll(t.Name(), "/", "-"), dir: t.TempDir(), cli: cli, endpoint: c.Endpoints()}
	keys := t.TempDir()
	enc := ""
	var encryption *backup.Encryption
	if encrypted {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		f.identity = id.String()
		idFile, recFile := filepath.Join(keys, "backup.key"), filepath.Join(keys, "backup.pub")
		writeFile(t, idFile, "# backups of prod\n"+id.String()+"\n")
		writeFile(t, recFile, id.Recipient().String()+"\n")
		enc = fmt.Sprintf("\n      encryption: {recipients_file: %s, identity_file: %s}", recFile, idFile)
		encryption = &backup.Encryption{Recipients: []string{id.Recipient().String()}, IdentityFile: idFile}
	}
	f.config = filepath.Join(t.TempDir(), "opsproxy.yml")
	writeFile(t, f.config, fmt.Sprintf(`clusters:
  - name: prod
    endpoints: [%s]
backups:
  scratch_dir: %s
  locations:
    - name: local
      dir: %s%s
  clusters:
    prod:
      - location: local
        schedule: "@daily"
`, c.Endpoints()[0], filepath.Join(t.TempDir(), "scratch"), f.dir, enc))
	f.engine = f.newEngine(t, "prod", encryption)
	return f
}

// newEngine is the engine that makes the backups of cluster in the fixture's location.
func (f *fixture) newEngine(t *testing.T, cluster string, enc *backup.Encryption) *backup.Engine {
	t.Helper()
	conn, err := etcdconn.New(clusterconfig.Cluster{Name: cluster, Endpoints: f.endpoint})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	loc, err := location.NewDir(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	e, err := backup.New(backup.Config{Cluster: cluster, Conn: conn, Location: loc, Encryption: enc, ScratchDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// fill puts n keys under the fixture's prefix.
func (f *fixture) fill(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		if _, err := f.cli.Put(context.Background(), fmt.Sprintf("%s/%05d", f.prefix, i), strings.Repeat("v", 100)); err != nil {
			t.Fatal(err)
		}
	}
}

// backup makes a backup with the fixture's engine.
func (f *fixture) backup(t *testing.T) backup.Record {
	t.Helper()
	rec, err := f.engine.Backup(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// flip changes one byte in the middle of the stored backup.
func (f *fixture) flip(t *testing.T, name string) {
	t.Helper()
	path := filepath.Join(f.dir, name)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)/2] ^= 0xff
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// noSecret fails the test when the output holds the age identity.
func noSecret(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && (strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s)) {
			t.Fatalf("a secret in the output:\n%s", r)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "AGE-SECRET-KEY") {
		t.Fatalf("an age identity in the output:\n%s", r)
	}
}
