package backupapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/metricsdoc"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

// stores are the two history stores the collector reads.
var stores = map[string]func(t *testing.T) store.Store{
	"bolt": func(t *testing.T) store.Store {
		st, err := bolt.Open(filepath.Join(t.TempDir(), "history.db"), bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	},
	"postgres": func(t *testing.T) store.Store {
		dsn := storetest.PostgresDSN(t)
		schema := "backupapi_test_" + store.NewID()[:12]
		storetest.DropSchemaAtCleanup(t, dsn, schema)
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	},
}

// dirSource is a configuration of directory locations, each target's engine made as opsproxy
// makes them (backup.New over location.NewDir).
type dirSource struct {
	targets []Target
	dirs    map[[2]string]string
}

func (s *dirSource) Targets() []Target { return s.targets }

func (s *dirSource) Engine(cluster, loc string) (*backup.Engine, bool, error) {
	dir, ok := s.dirs[[2]string{cluster, loc}]
	if !ok {
		return nil, false, nil
	}
	l, err := location.NewDir(dir)
	if err != nil {
		return nil, true, err
	}
	e, err := backup.New(backup.Config{Cluster: cluster, Location: l})
	return e, true, err
}

// writeObject stores a file of size bytes called name in dir, modified at at.
func writeObject(t *testing.T, dir, name string, size int, at time.Time) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(strings.Repeat("x", size)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, at, at); err != nil {
		t.Fatal(err)
	}
}

func saveEvent(t *testing.T, st store.BackupStore, e store.BackupEvent, record any) store.BackupEvent {
	t.Helper()
	if record != nil {
		b, err := json.Marshal(record)
		if err != nil {
			t.Fatal(err)
		}
		e.Record = b
	}
	if e.FinishedAt.IsZero() {
		e.FinishedAt = e.StartedAt.Add(time.Minute)
	}
	out, err := st.SaveBackupEvent(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func gather(t *testing.T, c prometheus.Collector) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// fixture fills a directory location "local" of cluster prod (and a watched one, "theirs") and
// the store, as backup jobs and another tool would have.
type fixture struct {
	st        store.Store
	src       *dirSource
	local     string
	t0        time.Time
	collector *Collector
	clock     time.Time
}

func newFixture(t *testing.T, st store.Store) *fixture {
	t.Helper()
	f := &fixture{st: st, t0: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	f.local, _ = filepath.Abs(t.TempDir())
	theirs := t.TempDir()
	f.src = &dirSource{
		targets: []Target{
			{Cluster: "prod", Location: "local", Kind: "dir", Where: "dir " + f.local, MaxAge: 13 * time.Hour, Schedule: "0 */6 * * *"},
			{Cluster: "prod", Location: "theirs", Kind: "dir", Where: "dir " + theirs, External: true, MaxAge: 25 * time.Hour},
		},
		dirs: map[[2]string]string{{"prod", "local"}: f.local, {"prod", "theirs"}: theirs},
	}
	t0 := f.t0
	writeObject(t, f.local, "prod-1.db", 1000, t0)
	writeObject(t, f.local, "prod-2.db", 1000, t0.Add(time.Hour))
	writeObject(t, f.local, "prod-3.db", 400, t0.Add(2*time.Hour))
	writeObject(t, f.local, "staging-1.db", 5000, t0.Add(3*time.Hour)) // another cluster's
	writeObject(t, f.local, ".part-123", 10, t0.Add(3*time.Hour))      // an interrupted write
	writeObject(t, theirs, "prod-snap.db", 2000, t0.Add(90*time.Minute))

	ev := func(kind store.BackupEventKind, name string, at time.Time, ok bool, errText string) store.BackupEvent {
		return store.BackupEvent{Cluster: "prod", Location: "local", Kind: kind, Name: name, JobID: "job-" + name, StartedAt: at, OK: ok, Error: errText}
	}
	for i, name := range []string{"prod-1.db", "prod-2.db", "prod-3.db"} {
		at := t0.Add(time.Duration(i) * time.Hour)
		saveEvent(t, st, ev(store.BackupEventBackup, name, at, true, ""), backup.Record{Cluster: "prod", Location: "dir " + f.local, Name: name,
			SnapshotSize: 990, SHA256: "ab", Restore: backup.RestoreTarget{Revision: int64(100 + i), KeyCount: 7},
			Verification: backup.VerifyRecord{Name: name, OK: true, VerifiedAt: at.Add(time.Minute)}})
	}
	// prod-3 fails a later verification; a drill of prod-2 passed; the next backup failed.
	saveEvent(t, st, ev(store.BackupEventVerify, "prod-3.db", t0.Add(2*time.Hour+5*time.Minute), false, "verify backup prod-3.db: stored sha256 differs"),
		backup.VerifyRecord{Name: "prod-3.db", Error: "verify backup prod-3.db: stored sha256 differs"})
	saveEvent(t, st, ev(store.BackupEventDrill, "prod-2.db", t0.Add(150*time.Minute), true, ""), backup.DrillRecord{Name: "prod-2.db", OK: true})
	saveEvent(t, st, ev(store.BackupEventBackup, "", t0.Add(3*time.Hour), false, "write prod-4.db in dir /gone: no such file or directory"), nil)
	// The watched location: one inspection that verified its newest.
	saveEvent(t, st, store.BackupEvent{Cluster: "prod", Location: "theirs", Kind: store.BackupEventInspect, StartedAt: t0.Add(100 * time.Minute), OK: true},
		backup.InspectRecord{Count: 1, Verification: &backup.VerifyRecord{Name: "prod-snap.db", OK: true, VerifiedAt: t0.Add(101 * time.Minute)}})

	f.clock = t0.Add(4 * time.Hour)
	f.collector = NewCollector(f.src, st, slog.New(slog.DiscardHandler))
	f.collector.now = func() time.Time { return f.clock }
	return f
}

func expected(t0 time.Time, localCount int) string {
	ts := func(d time.Duration) string { return formatFloat(float64(t0.Add(d).Unix())) }
	return `
# HELP etcd_monitor_backup_objects Backups of the cluster the location holds.
# TYPE etcd_monitor_backup_objects gauge
etcd_monitor_backup_objects{cluster="prod",location="local"} ` + formatFloat(float64(localCount)) + `
etcd_monitor_backup_objects{cluster="prod",location="theirs"} 1
# HELP etcd_monitor_backup_drill_success Whether the latest restore drill of a backup of the cluster in the location succeeded (1) or failed (0); absent when never drilled.
# TYPE etcd_monitor_backup_drill_success gauge
etcd_monitor_backup_drill_success{cluster="prod",location="local"} 1
# HELP etcd_monitor_backup_drill_timestamp_seconds When the latest restore drill of a backup of the cluster in the location finished, in Unix seconds; absent when never drilled.
# TYPE etcd_monitor_backup_drill_timestamp_seconds gauge
etcd_monitor_backup_drill_timestamp_seconds{cluster="prod",location="local"} ` + ts(151*time.Minute) + `
# HELP etcd_monitor_backup_external Whether another tool fills the location and etcd-monitor only watches it (1) or etcd-monitor makes the backups (0).
# TYPE etcd_monitor_backup_external gauge
etcd_monitor_backup_external{cluster="prod",location="local"} 0
etcd_monitor_backup_external{cluster="prod",location="theirs"} 1
# HELP etcd_monitor_backup_last_failure_timestamp_seconds When the last failed backup job (for an external location: inspection) of the cluster to the location finished, in Unix seconds; absent when none failed.
# TYPE etcd_monitor_backup_last_failure_timestamp_seconds gauge
etcd_monitor_backup_last_failure_timestamp_seconds{cluster="prod",location="local"} ` + ts(181*time.Minute) + `
# HELP etcd_monitor_backup_last_success_timestamp_seconds When the last successful backup job (for an external location: inspection) of the cluster to the location finished, in Unix seconds; absent before the first.
# TYPE etcd_monitor_backup_last_success_timestamp_seconds gauge
etcd_monitor_backup_last_success_timestamp_seconds{cluster="prod",location="local"} ` + ts(121*time.Minute) + `
etcd_monitor_backup_last_success_timestamp_seconds{cluster="prod",location="theirs"} ` + ts(101*time.Minute) + `
# HELP etcd_monitor_backup_max_age_seconds The configured max_age of the cluster's backups in the location: a newest backup older than this is missing.
# TYPE etcd_monitor_backup_max_age_seconds gauge
etcd_monitor_backup_max_age_seconds{cluster="prod",location="local"} 46800
etcd_monitor_backup_max_age_seconds{cluster="prod",location="theirs"} 90000
# HELP etcd_monitor_backup_newest_size_bytes Stored size of the newest backup of the cluster in the location.
# TYPE etcd_monitor_backup_newest_size_bytes gauge
etcd_monitor_backup_newest_size_bytes{cluster="prod",location="local"} 400
etcd_monitor_backup_newest_size_bytes{cluster="prod",location="theirs"} 2000
# HELP etcd_monitor_backup_newest_timestamp_seconds When the newest backup of the cluster in the location was stored, in Unix seconds; absent when it holds none.
# TYPE etcd_monitor_backup_newest_timestamp_seconds gauge
etcd_monitor_backup_newest_timestamp_seconds{cluster="prod",location="local"} ` + ts(2*time.Hour) + `
etcd_monitor_backup_newest_timestamp_seconds{cluster="prod",location="theirs"} ` + ts(90*time.Minute) + `
# HELP etcd_monitor_backup_newest_verified Whether the newest backup of the cluster in the location passed its latest verification (1) or failed it or was not verified yet (0).
# TYPE etcd_monitor_backup_newest_verified gauge
etcd_monitor_backup_newest_verified{cluster="prod",location="local"} 0
etcd_monitor_backup_newest_verified{cluster="prod",location="theirs"} 1
# HELP etcd_monitor_backup_previous_size_bytes Stored size of the backup before the newest one; absent when there is only one.
# TYPE etcd_monitor_backup_previous_size_bytes gauge
etcd_monitor_backup_previous_size_bytes{cluster="prod",location="local"} 1000
`
}

// The collector joins each location's listing (this cluster's complete backups only) with the
// stored events: newest and previous sizes, the newest's failed re-verification, the latest
// drill, the last success and failure of the jobs (of the inspections for a watched location).
func TestCollectorJoinsEachLocationWithItsEvents(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			if err := testutil.CollectAndCompare(f.collector, strings.NewReader(expected(f.t0, 3))); err != nil {
				t.Fatal(err)
			}
			metricsdoc.Check(t, "../../../docs/metrics.md", "backup-metrics", gather(t, f.collector))
		})
	}
}

// A location that can no longer be listed (an unmounted volume) keeps its last listing, so its
// newest backup only grows older; a store that stops answering keeps the last figures.
func TestCollectorKeepsTheLastFiguresWhileALocationOrTheStoreIsDown(t *testing.T) {
	f := newFixture(t, stores["bolt"](t))
	if err := testutil.CollectAndCompare(f.collector, strings.NewReader(expected(f.t0, 3))); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(f.local); err != nil {
		t.Fatal(err)
	}
	f.clock = f.clock.Add(2 * metricsMaxAge)
	if err := testutil.CollectAndCompare(f.collector, strings.NewReader(expected(f.t0, 3))); err != nil {
		t.Fatalf("location gone: %v", err)
	}
	f.st.Close()
	f.clock = f.clock.Add(2 * metricsMaxAge)
	if err := testutil.CollectAndCompare(f.collector, strings.NewReader(expected(f.t0, 3))); err != nil {
		t.Fatalf("store down: %v", err)
	}
}

// A location never listed falls back on the newest backup the store knows of, without a count.
func TestCollectorFallsBackOnTheStoreBeforeAnyListing(t *testing.T) {
	f := newFixture(t, stores["bolt"](t))
	if err := os.RemoveAll(f.local); err != nil {
		t.Fatal(err)
	}
	mfs := gather(t, f.collector)
	for _, m := range mfs["etcd_monitor_backup_objects"].GetMetric() {
		if m.GetLabel()[1].GetValue() == "local" {
			t.Fatal("a location never listed has a count")
		}
	}
	got := map[string]float64{}
	for _, n := range []string{"etcd_monitor_backup_newest_size_bytes", "etcd_monitor_backup_newest_timestamp_seconds"} {
		for _, m := range mfs[n].GetMetric() {
			if m.GetLabel()[1].GetValue() == "local" {
				got[n] = m.GetGauge().GetValue()
			}
		}
	}
	// The newest backup event (prod-3) recorded no size: it finished at 2h1m.
	if got["etcd_monitor_backup_newest_timestamp_seconds"] != float64(f.t0.Add(121*time.Minute).Unix()) {
		t.Fatalf("newest from the store: %v", got)
	}
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
