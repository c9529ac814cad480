package backupsched

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

func stores(t *testing.T) map[string]store.Store {
	b, err := bolt.Open(filepath.Join(t.TempDir(), "s.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	dsn := storetest.PostgresDSN(t)
	schema := "backupsched_" + store.NewID()[:12]
	storetest.DropSchemaAtCleanup(t, dsn, schema)
	pg, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	return map[string]store.Store{"Bolt": b, "Postgres": pg}
}

func section(schedule string, drill bool) config.BackupsConfig {
	t := config.BackupTarget{Location: "local", Schedule: schedule, MaxAge: model.Duration(1)}
	if drill {
		t.DrillSchedule = "30 3 * * *"
	}
	return config.BackupsConfig{Locations: []config.BackupLocation{{Name: "local", Dir: "/x"}},
		Clusters: map[string][]config.BackupTarget{"prod": {t}}}
}

func backupSchedules(t *testing.T, st store.Store) map[string]store.Schedule {
	t.Helper()
	page, err := st.ListSchedules(context.Background(), store.ScheduleFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Schedule{}
	for _, sc := range page.Schedules {
		out[sc.ID] = sc
	}
	return out
}

// Syncs create, keep, replace (same id, pause kept) and delete the configured schedules, and
// leave the others alone; concurrent syncs of one configuration (replicas starting together)
// end with one schedule each and no error.
func TestSyncKeepsTheConfiguredSchedulesInTheStore(t *testing.T) {
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			other, err := st.CreateSchedule(ctx, store.Schedule{Name: "mine", Kind: "backup", Cluster: "prod", Cron: "@daily"})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() { _, errs[i] = Sync(ctx, st, section("0 */6 * * *", true)) })
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("concurrent sync: %v", err)
				}
			}
			got := backupSchedules(t, st)
			b, d := got[ID("prod", "local", "backup")], got[ID("prod", "local", "backup-drill")]
			if len(got) != 3 || b.Cron != "0 */6 * * *" || d.Kind != "backup-drill" || strings.ReplaceAll(string(b.Parameters), " ", "") != `{"location":"local"}` || b.CreatedBy != CreatedBy {
				t.Fatalf("after the first syncs: %+v", got)
			}
			if rep, err := Sync(ctx, st, section("0 */6 * * *", true)); err != nil || rep.Kept != 2 || len(rep.Created)+len(rep.Replaced)+len(rep.Deleted) != 0 {
				t.Fatalf("a sync of the same configuration: %+v, %v", rep, err)
			}
			if _, err := st.SetSchedulePaused(ctx, b.ID, true, b.CreatedAt); err != nil {
				t.Fatal(err)
			}
			rep, err := Sync(ctx, st, section("0 */4 * * *", false))
			if err != nil || len(rep.Replaced) != 1 || len(rep.Deleted) != 1 {
				t.Fatalf("a sync of a changed configuration: %+v, %v", rep, err)
			}
			got = backupSchedules(t, st)
			if b := got[ID("prod", "local", "backup")]; len(got) != 2 || b.Cron != "0 */4 * * *" || !b.Paused || got[other.ID].Name != "mine" {
				t.Fatalf("after the change: %+v", got)
			}
			if _, err := Sync(ctx, st, config.BackupsConfig{}); err != nil {
				t.Fatal(err)
			}
			if got = backupSchedules(t, st); len(got) != 1 || got[other.ID].Name != "mine" {
				t.Fatalf("after the section went: %+v", got)
			}
		})
	}
}
