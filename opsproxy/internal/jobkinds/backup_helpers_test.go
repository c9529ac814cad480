package jobkinds

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// backupEnv is a cluster's backups as configured by a backups section, run by a runner of the
// kinds on the in-process queue over one store.
type backupEnv struct {
	st  store.Store
	q   jobs.Queue
	d   Deps
	cfg *config.Config
	// dirs are the directories of the locations, by name.
	dirs map[string]string
}

// backupStores are the stores the backup kinds are tried on.
var backupStores = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"Bolt", func(t *testing.T) store.Store { return openStore(t) }},
	{"Postgres", func(t *testing.T) store.Store {
		dsn := storetest.PostgresDSN(t)
		schema := "jobkinds_backup_" + store.NewID()[:12]
		storetest.DropSchemaAtCleanup(t, dsn, schema)
		pg, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pg.Close() })
		return pg
	}},
}

// newBackupEnv loads section (the backups section, with {dir:NAME} replaced by a new
// directory of that name and {key} and {pub} by an age key pair's files) for cluster prod.
func newBackupEnv(t *testing.T, c *testCluster, st store.Store, section string) *backupEnv {
	t.Helper()
	root := t.TempDir()
	e := &backupEnv{st: st, dirs: map[string]string{}}
	for {
		i := strings.Index(section, "{dir:")
		if i < 0 {
			break
		}
		j := strings.Index(section[i:], "}")
		name := section[i+5 : i+j]
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		e.dirs[name] = dir
		section = section[:i] + dir + section[i+j+1:]
	}
	if strings.Contains(section, "{key}") {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		keys := t.TempDir()
		write(t, filepath.Join(keys, "k"), id.String()+"\n")
		write(t, filepath.Join(keys, "p"), id.Recipient().String()+"\n")
		section = strings.ReplaceAll(strings.ReplaceAll(section, "{key}", filepath.Join(keys, "k")), "{pub}", filepath.Join(keys, "p"))
	}
	endpoints := []string{"http://127.0.0.1:1"}
	if c != nil {
		endpoints = c.Endpoints()
	}
	path := filepath.Join(root, "opsproxy.yml")
	write(t, path, fmt.Sprintf("clusters:\n  - name: prod\n    endpoints: [%s]\nmaintenance:\n  restore_dir: %s\nbackups:\n  scratch_dir: %s\n%s",
		strings.Join(endpoints, ", "), filepath.Join(root, "restores"), filepath.Join(root, "scratch"), section))
	cfg, err := config.LoadConfig(path)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	e.cfg = cfg
	e.d = Deps{Backups: func() config.BackupsConfig { return e.cfg.Backups }, BackupEvents: st,
		RestoreDir: cfg.Maintenance.RestoreDir, DrillCommand: backup.DrillCommand{Path: os.Args[0]}}
	if c != nil {
		e.d.Cluster = c.deps(t).Cluster
	}
	e.q = jobs.NewMemQueue("test", jobs.Options{})
	t.Cleanup(func() { _ = e.q.Close() })
	startRunner(t, e.q, st, runnerOpts(), e.d)
	return e
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// run submits a job of kind and waits for its end.
func (e *backupEnv) run(t *testing.T, kind, params string) store.Job {
	t.Helper()
	k := e.kind(kind)
	if err := k.Validate(json.RawMessage(params)); err != nil {
		t.Fatalf("%s %s: %v", kind, params, err)
	}
	if err := k.Admit("prod", json.RawMessage(params)); err != nil {
		t.Fatalf("%s %s refused: %v", kind, params, err)
	}
	j := submit(t, e.st, e.q, kind, params)
	return waitFinal(t, e.st, j.ID)
}

func (e *backupEnv) kind(name string) jobs.Kind {
	for _, k := range Kinds(e.d) {
		if k.Name == name {
			return k
		}
	}
	panic("no kind " + name)
}

// events lists the stored events matching f.
func (e *backupEnv) events(t *testing.T, f store.BackupEventFilter) []store.BackupEvent {
	t.Helper()
	f.Cluster = "prod"
	evs, err := e.st.ListBackupEvents(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// kinds lists the kinds and outcomes of events, oldest first.
func kinds(evs []store.BackupEvent) string {
	var out []string
	for i := len(evs) - 1; i >= 0; i-- {
		s := string(evs[i].Kind)
		if !evs[i].OK {
			s += "!"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func backupResultOf(t *testing.T, j store.Job) backupResult {
	t.Helper()
	if j.Status != store.JobSucceeded {
		t.Fatalf("backup job %s: %s", j.Status, j.Error)
	}
	var r backupResult
	if err := json.Unmarshal(j.Result, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// putKeys writes n keys under prefix.
func (c *testCluster) putKeys(t *testing.T, prefix string, n int) {
	t.Helper()
	for i := range n {
		if _, err := c.cli.Put(context.Background(), fmt.Sprintf("%s%03d", prefix, i), strings.Repeat("v", 200)); err != nil {
			t.Fatal(err)
		}
	}
}
