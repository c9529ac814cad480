package opsproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/backupsched"
)

// backupsSection is a backups section of cluster c1 in a new directory, with schedule.
func backupsSection(t testing.TB, schedule string) string {
	dir := t.TempDir()
	return fmt.Sprintf("backups:\n  scratch_dir: %s\n  locations:\n    - {name: local, dir: %s}\n  clusters:\n    c1:\n"+
		"      - {location: local, schedule: %q, retention: {count: 5}, drill_schedule: \"30 3 * * *\"}\n",
		filepath.Join(dir, "scratch"), filepath.Join(dir, "backups"), schedule)
}

// mkBackupsDir makes the location directory of a section backupsSection wrote.
func mkBackupsDir(t testing.TB, section string) {
	i := strings.Index(section, "{name: local, dir: ") + len("{name: local, dir: ")
	dir := section[i : i+strings.Index(section[i:], "}")]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// Two opsproxy replicas on one store, each with the backups section, fire the configured
// backup schedule's slot once: one job, one backup, one backup event. On the in-process
// queues (each replica its own) with both stores, and on one Redis queue.
func TestBackupScheduleFiresOnceAcrossTwoReplicas(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store storeKind
		redis bool
	}{
		{"Bolt", boltStore, false},
		{"Postgres", postgresStore, false},
		{"PostgresAndRedis", postgresStore, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t, tc.store)
			section := backupsSection(t, "@every 1m")
			mkBackupsDir(t, section)
			queue := "queue:\n  schedule_interval: 1s\n  visibility_timeout: 1s\n"
			if tc.redis {
				r := redistest.Start(t, "")
				queue += fmt.Sprintf("  redis_url: %s\n  stream: %s\n", r.URL(), "b"+store.NewID()[:8])
			}
			var ahead atomic.Int64
			clock := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
			a := newEnv(t, envOptions{st: st, extra: queue + section, scheduleClock: clock})
			b := newEnv(t, envOptions{st: st, extra: queue + section, scheduleClock: clock})
			id := backupsched.ID("c1", "local", "backup")
			var sc store.Schedule
			if r := a.call(t, "GET", "/api/v1/schedules/"+url.PathEscape(id), a.admin, nil); r.status != http.StatusOK {
				t.Fatalf("the configured schedule by its id: %d %s", r.status, r.body)
			} else {
				r.json(t, &sc)
			}
			if sc.Kind != "backup" || sc.Cluster != "c1" || sc.Cron != "@every 1m" || string(sc.Parameters) != `{"location":"local"}` {
				t.Fatalf("schedule %+v", sc)
			}
			ahead.Store(int64(61 * time.Second))
			eventually(t, "the slot fired", func() bool {
				a.call(t, "GET", "/api/v1/schedules/"+url.PathEscape(id), a.admin, nil).json(t, &sc)
				return sc.LastJobID != ""
			})
			j := b.waitJob(t, b.admin, sc.LastJobID, hasStatus(store.JobSucceeded))
			// Both schedulers tick again at the same clock: the slot is not fired twice.
			time.Sleep(3 * time.Second)
			if page := listJobs(t, a, a.admin, "?kind=backup"); len(page.Jobs) != 1 || page.Jobs[0].ID != j.ID {
				t.Fatalf("backup jobs after one slot: %+v", page.Jobs)
			}
			evs, err := st.ListBackupEvents(context.Background(), store.BackupEventFilter{Cluster: "c1", Kind: store.BackupEventBackup})
			if err != nil || len(evs) != 1 || !evs[0].OK || evs[0].JobID != j.ID {
				t.Fatalf("backup events after one slot: %+v, %v", evs, err)
			}
		})
	}
}

// A reload that changes the backups section changes the configured schedules: a changed cron
// keeps the schedule's id, a dropped one goes, and schedules made through the API stay.
func TestBackupSchedulesFollowReloads(t *testing.T) {
	section := backupsSection(t, "0 */6 * * *")
	mkBackupsDir(t, section)
	e := newEnv(t, envOptions{extra: jobsQueue + section, jobKinds: testJobKinds()})
	mine := e.createSchedule(t, e.admin, echoSchedule("mine", "@daily"), http.StatusCreated)
	ids := func() map[string]string {
		out := map[string]string{}
		for _, sc := range listSchedules(t, e, e.admin, "?limit=100").Schedules {
			out[sc.ID] = sc.Cron
		}
		return out
	}
	backupID, drillID := backupsched.ID("c1", "local", "backup"), backupsched.ID("c1", "local", "backup-drill")
	if got := ids(); got[backupID] != "0 */6 * * *" || got[drillID] != "30 3 * * *" || len(got) != 3 {
		t.Fatalf("schedules at start: %v", got)
	}
	e.rewrite(t, clusterEntry("c1", etcdtest.Shared(t)), jobsQueue+strings.Replace(strings.Replace(section, "0 */6 * * *", "0 */4 * * *", 1),
		", drill_schedule: \"30 3 * * *\"", "", 1))
	if r, _ := e.reload(t); r.status != http.StatusOK {
		t.Fatalf("reload: %d %s", r.status, r.body)
	}
	if got := ids(); got[backupID] != "0 */4 * * *" || got[drillID] != "" || got[mine.ID] != "@daily" || len(got) != 2 {
		t.Fatalf("schedules after the reload: %v", got)
	}
	e.rewrite(t, clusterEntry("c1", etcdtest.Shared(t)), jobsQueue)
	if r, _ := e.reload(t); r.status != http.StatusOK {
		t.Fatalf("reload: %d %s", r.status, r.body)
	}
	if got := ids(); len(got) != 1 || got[mine.ID] == "" {
		t.Fatalf("schedules after the backups section went: %v", got)
	}
}

// Backup jobs are for the cluster's admins: a viewer, an editor and an admin of another
// cluster are refused 403; bad parameters are 400 naming the field; a restore into an existing
// directory is 409; the store going away refuses the job with a JSON error.
func TestBackupJobsAPIRefusesRolesScopesAndBadInput(t *testing.T) {
	section := backupsSection(t, "@daily")
	mkBackupsDir(t, section)
	e := newEnv(t, envOptions{extra: jobsQueue + section})
	viewer := e.token(t, TokenSpec{Name: "v", Role: "viewer"})
	editor := e.token(t, TokenSpec{Name: "ed", Role: "editor"})
	elsewhere := e.token(t, TokenSpec{Name: "other", Role: "admin", Clusters: []string{"c2"}})
	job := func(kind, params string) map[string]any {
		var p map[string]any
		if err := json.Unmarshal([]byte(params), &p); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"kind": kind, "cluster": "c1", "parameters": p}
	}
	for _, tc := range []struct {
		name, token, kind, params string
		status                    int
		want                      string
	}{
		{"viewer", viewer, "backup", `{}`, http.StatusForbidden, ""},
		{"editor", editor, "backup-drill", `{}`, http.StatusForbidden, ""},
		{"admin of another cluster", elsewhere, "backup-restore", `{}`, http.StatusForbidden, ""},
		{"unknown location", e.admin, "backup", `{"location": "nope"}`, http.StatusBadRequest, `location: cluster c1 has no backup location \"nope\"`},
		{"unknown parameter", e.admin, "backup-verify", `{"name": "a.db", "path": "/etc"}`, http.StatusBadRequest, "path: unknown parameter"},
		{"oversized", e.admin, "backup-verify", `{"name": "` + strings.Repeat("n", 20<<10) + `"}`, http.StatusBadRequest, "parameters: larger than"},
		{"restore of an unverified backup", e.admin, "backup-restore", `{"name": "c1-x.db", "data_dir": "d", "member_name": "m0",
			"initial_advertise_peer_urls": ["http://127.0.0.1:2380"]}`, http.StatusConflict, "it was never verified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(t, "POST", "/api/v1/jobs", tc.token, job(tc.kind, tc.params))
			if r.status != tc.status || !strings.Contains(string(r.body), tc.want) || !strings.HasPrefix(strings.TrimSpace(string(r.body)), "{") {
				t.Fatalf("%d %s, want %d with %q", r.status, r.body, tc.status, tc.want)
			}
		})
	}
	if err := os.MkdirAll(filepath.Join(e.cfg.Maintenance.RestoreDir, "taken"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := e.call(t, "POST", "/api/v1/jobs", e.admin, job("backup-restore", `{"name": "c1-x.db", "data_dir": "taken", "member_name": "m0",
		"initial_advertise_peer_urls": ["http://127.0.0.1:2380"]}`))
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), `data_dir \"taken\" already exists`) {
		t.Fatalf("restore into an existing directory: %d %s", r.status, r.body)
	}
}

// A backup to an S3 location that does not answer fails naming it; its keys (read from their
// files) are in no log line, job record, event or audit row.
func TestBackupS3KeysNeverShow(t *testing.T) {
	dir := t.TempDir()
	id, secret := filepath.Join(dir, "id"), filepath.Join(dir, "secret")
	if err := os.WriteFile(id, []byte("AKIDNEVERSHOWN\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secret, []byte("s3cret-never-shown\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	section := fmt.Sprintf("backups:\n  scratch_dir: %s\n  locations:\n    - name: bucket\n      s3: {endpoint: \"http://127.0.0.1:1\", bucket: b, "+
		"access_key_id_file: %s, secret_access_key_file: %s, force_path_style: true}\n  clusters:\n    c1:\n      - {location: bucket, schedule: \"@daily\"}\n",
		filepath.Join(dir, "scratch"), id, secret)
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind, extra: jobsQueue + section})
			j := e.enqueue(t, e.admin, map[string]any{"kind": "backup", "cluster": "c1", "parameters": map[string]any{}}, http.StatusAccepted)
			j = e.waitJob(t, e.admin, j.ID, hasStatus(store.JobFailed))
			if !strings.Contains(j.Error, "s3://b/") && !strings.Contains(j.Error, "127.0.0.1:1") {
				t.Fatalf("job error %q does not name the location", j.Error)
			}
			evs, err := e.store.ListBackupEvents(context.Background(), store.BackupEventFilter{Cluster: "c1"})
			if err != nil || len(evs) == 0 || evs[0].OK {
				t.Fatalf("events %+v, %v: want a failed backup event", evs, err)
			}
			rec, _ := json.Marshal(j)
			evText, _ := json.Marshal(evs)
			audit, _ := json.Marshal(e.allAudit(t))
			for what, text := range map[string]string{"log": e.log.String(), "job": string(rec), "events": string(evText), "audit": string(audit)} {
				if strings.Contains(text, "s3cret-never-shown") || strings.Contains(text, "AKIDNEVERSHOWN") {
					t.Fatalf("an S3 key shows in the %s: %s", what, text)
				}
			}
		})
	}
}
