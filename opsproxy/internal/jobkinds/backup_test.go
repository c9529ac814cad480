package jobkinds

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

const ourLocation = `  locations:
    - {name: local, dir: "{dir:local}"}
  clusters:
    prod:
      - {location: local, schedule: "0 */6 * * *", retention: {count: 2}}
`

// A backup job streams from a follower of a real 3-member cluster, verifies the stored copy and
// applies retention, storing one event each, on both stores; retention keeps the newest two.
func TestBackupJobStoresBackupVerifyAndRetentionEvents(t *testing.T) {
	c := startCluster(t, false)
	c.putKeys(t, "/bk/", 50)
	for _, sk := range backupStores {
		t.Run(sk.name, func(t *testing.T) {
			e := newBackupEnv(t, c, sk.open(t), ourLocation)
			var names []string
			for range 3 {
				r := backupResultOf(t, e.run(t, KindBackup, `{}`))
				names = append(names, r.Backup.Name)
				if r.Backup.Member == c.leaderName(t) || !r.Backup.Verification.OK || r.Backup.Restore.KeyCount < 50 {
					t.Fatalf("backup %+v: want a verified backup from a follower with the 50 keys", r.Backup)
				}
				if r.Location != "local" || r.Retention == nil {
					t.Fatalf("result %+v", r)
				}
			}
			if got := kinds(e.events(t, store.BackupEventFilter{})); got != "backup verify retention backup verify retention backup verify retention" {
				t.Fatalf("events: %s", got)
			}
			last := e.events(t, store.BackupEventFilter{Kind: store.BackupEventRetention, Limit: 1})[0]
			var ret backup.RetentionRecord
			if err := json.Unmarshal(last.Record, &ret); err != nil || len(ret.Deleted) != 1 || ret.Deleted[0] != names[0] {
				t.Fatalf("last retention %s: want %s deleted", last.Record, names[0])
			}
			files, _ := os.ReadDir(e.dirs["local"])
			if len(files) != 2 {
				t.Fatalf("location holds %d files, want the newest 2", len(files))
			}
			bk := e.events(t, store.BackupEventFilter{Kind: store.BackupEventBackup, Limit: 1})[0]
			if bk.Name != names[2] || bk.Size <= 0 || bk.JobID == "" || !bk.OK {
				t.Fatalf("backup event %+v", bk)
			}
			var p backupProgress
			j := record(t, e.st, bk.JobID)
			if err := json.Unmarshal(j.Progress, &p); err != nil || p.Phase != "retention" || p.Bytes != bk.Size {
				t.Fatalf("progress %s", j.Progress)
			}
		})
	}
}

// A location that is missing, or is not a directory, fails the job naming its path, and a
// failed backup event is stored (the metrics read it).
func TestBackupJobFailsNamingAMissingOrUnwritableLocation(t *testing.T) {
	c := startCluster(t, false)
	e := newBackupEnv(t, c, openStore(t), ourLocation)
	dir := e.dirs["local"]
	for _, tc := range []struct {
		name   string
		break_ func()
	}{
		{"missing", func() { os.RemoveAll(dir) }},
		{"a file", func() { write(t, dir, "not a directory") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.break_()
			j := e.run(t, KindBackup, `{"location": "local"}`)
			if j.Status != store.JobFailed || !strings.Contains(j.Error, dir) {
				t.Fatalf("job %s: %q, want failed naming %s", j.Status, j.Error, dir)
			}
			ev := e.events(t, store.BackupEventFilter{Kind: store.BackupEventBackup, Limit: 1})[0]
			if ev.OK || !strings.Contains(ev.Error, dir) || ev.JobID != j.ID {
				t.Fatalf("event %+v, want a failure naming %s", ev, dir)
			}
			os.RemoveAll(dir)
		})
	}
}

// A stored backup cut short or with a byte flipped fails backup-verify naming the file; a drill
// of it fails and says why; a restore of it is refused until a verification passes.
func TestBackupVerifyDrillAndRestoreOfACorruptBackup(t *testing.T) {
	c := startCluster(t, false)
	c.putKeys(t, "/corrupt/", 30)
	e := newBackupEnv(t, c, openStore(t), ourLocation)
	for _, tc := range []struct {
		name    string
		corrupt func(path string)
	}{
		{"truncated", func(path string) {
			fi, _ := os.Stat(path)
			if err := os.Truncate(path, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"byte flipped", func(path string) {
			b, _ := os.ReadFile(path)
			b[len(b)/3] ^= 0xff
			write(t, path, string(b))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := backupResultOf(t, e.run(t, KindBackup, `{}`)).Backup.Name
			tc.corrupt(filepath.Join(e.dirs["local"], name))
			params := `{"location": "local", "name": "` + name + `"}`
			j := e.run(t, KindBackupVerify, params)
			if j.Status != store.JobFailed || !strings.Contains(j.Error, name) {
				t.Fatalf("verify: %s %q, want failed naming %s", j.Status, j.Error, name)
			}
			v := e.events(t, store.BackupEventFilter{Kind: store.BackupEventVerify, Name: name, Limit: 1})[0]
			if v.OK || !strings.Contains(v.Error, name) {
				t.Fatalf("verify event %+v", v)
			}
			d := e.run(t, KindBackupDrill, params)
			if d.Status != store.JobFailed || !strings.Contains(d.Error, "drill of backup "+name) {
				t.Fatalf("drill: %s %q", d.Status, d.Error)
			}
			dev := e.events(t, store.BackupEventFilter{Kind: store.BackupEventDrill, Limit: 1})[0]
			if dev.OK || dev.Error != d.Error {
				t.Fatalf("drill event %+v", dev)
			}
			restore := `{"location": "local", "name": "` + name + `", "data_dir": "r-` + strings.ReplaceAll(tc.name, " ", "-") +
				`", "member_name": "m0", "initial_advertise_peer_urls": ["http://127.0.0.1:2380"]}`
			err := e.kind(KindBackupRestore).Admit("prod", json.RawMessage(restore))
			if err == nil || errors.Is(err, jobs.ErrInvalidParameters) || !strings.Contains(err.Error(), "its latest verification failed") {
				t.Fatalf("restore of a corrupt backup admitted: %v (want a refusal answered 409)", err)
			}
		})
	}
}

// A drill of the newest verified backup (no name given) restores it into a throwaway member
// and stores a passed drill event; a restore writes a new data directory and never an
// existing one.
func TestBackupDrillAndRestoreOfAVerifiedBackup(t *testing.T) {
	c := startCluster(t, false)
	c.putKeys(t, "/good/", 40)
	e := newBackupEnv(t, c, openStore(t), ourLocation)
	name := backupResultOf(t, e.run(t, KindBackup, `{}`)).Backup.Name
	d := e.run(t, KindBackupDrill, `{}`)
	if d.Status != store.JobSucceeded {
		t.Fatalf("drill: %s %s", d.Status, d.Error)
	}
	var dr backup.DrillRecord
	if err := json.Unmarshal(d.Result, &dr); err != nil || dr.Name != name || !dr.OK || dr.Got.KeyCount != dr.Want.KeyCount || dr.Want.KeyCount < 40 {
		t.Fatalf("drill record %s", d.Result)
	}
	if ev := e.events(t, store.BackupEventFilter{Kind: store.BackupEventDrill, Limit: 1})[0]; !ev.OK || ev.Name != name {
		t.Fatalf("drill event %+v", ev)
	}
	restore := `{"location": "local", "name": "` + name + `", "data_dir": "m0-data", "member_name": "m0",
		"initial_cluster": "m0=http://127.0.0.1:2380,m1=http://127.0.0.1:2381",
		"initial_advertise_peer_urls": ["http://127.0.0.1:2380"], "bump_revision": 1000, "mark_compacted": true}`
	r := e.run(t, KindBackupRestore, restore)
	if r.Status != store.JobSucceeded {
		t.Fatalf("restore: %s %s", r.Status, r.Error)
	}
	out := filepath.Join(e.cfg.Maintenance.RestoreDir, "m0-data")
	if _, err := os.Stat(filepath.Join(out, "member", "snap", "db")); err != nil {
		t.Fatalf("restored data directory: %v", err)
	}
	if ev := e.events(t, store.BackupEventFilter{Kind: store.BackupEventRestore, Limit: 1})[0]; !ev.OK || ev.Name != name {
		t.Fatalf("restore event %+v", ev)
	}
	err := e.kind(KindBackupRestore).Admit("prod", json.RawMessage(restore))
	if err == nil || errors.Is(err, jobs.ErrInvalidParameters) || !strings.Contains(err.Error(), `data_dir "m0-data" already exists`) {
		t.Fatalf("restore into an existing directory admitted: %v", err)
	}
}

// An external location (filled here by copying one of our backups under another tool's name):
// backup-inspect records the count and the newest one's size and verifies it; a backup job
// there is refused.
func TestBackupInspectOfAnExternalLocation(t *testing.T) {
	c := startCluster(t, false)
	c.putKeys(t, "/ext/", 20)
	e := newBackupEnv(t, c, openStore(t), `  locations:
    - {name: local, dir: "{dir:local}"}
    - {name: cron, dir: "{dir:cron}", external: true}
  clusters:
    prod:
      - {location: local, schedule: "@daily"}
      - {location: cron, max_age: 2h, prefix: etcd-snapshot-}
`)
	name := backupResultOf(t, e.run(t, KindBackup, `{}`)).Backup.Name
	raw, err := os.ReadFile(filepath.Join(e.dirs["local"], name))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(e.dirs["cron"], "etcd-snapshot-1.db"), string(raw[:len(raw)/2]))
	write(t, filepath.Join(e.dirs["cron"], "etcd-snapshot-2.db"), string(raw))
	write(t, filepath.Join(e.dirs["cron"], "unrelated.txt"), "x")
	// The cut-short one is an hour older: the newest is whole.
	old := mustStat(t, filepath.Join(e.dirs["cron"], "etcd-snapshot-2.db")).ModTime().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(e.dirs["cron"], "etcd-snapshot-1.db"), old, old); err != nil {
		t.Fatal(err)
	}
	j := e.run(t, KindBackupInspect, `{"location": "cron"}`)
	if j.Status != store.JobSucceeded {
		t.Fatalf("inspect: %s %s", j.Status, j.Error)
	}
	var rec backup.InspectRecord
	if err := json.Unmarshal(j.Result, &rec); err != nil || rec.Count != 2 || rec.Newest == nil || rec.Newest.Name != "etcd-snapshot-2.db" ||
		rec.Newest.Size != int64(len(raw)) || rec.Verification == nil || !rec.Verification.OK {
		t.Fatalf("inspect record %s", j.Result)
	}
	if got := kinds(e.events(t, store.BackupEventFilter{Location: "cron"})); got != "inspect verify" {
		t.Fatalf("events of the external location: %s", got)
	}
	ins := e.events(t, store.BackupEventFilter{Location: "cron", Kind: store.BackupEventInspect})[0]
	if ins.Size != int64(len(raw)) || ins.Name != "" {
		t.Fatalf("inspect event %+v", ins)
	}
	err = e.kind(KindBackup).Admit("prod", json.RawMessage(`{"location": "cron"}`))
	if !errors.Is(err, jobs.ErrInvalidParameters) || !strings.Contains(err.Error(), "location: cron is external") {
		t.Fatalf("backup into an external location: %v", err)
	}
}

func mustStat(t *testing.T, path string) os.FileInfo {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// Bad parameters are refused naming the field, before a job is made (400).
func TestBackupParametersAreCheckedNamingTheField(t *testing.T) {
	e := newBackupEnv(t, nil, openStore(t), `  locations:
    - {name: local, dir: "{dir:local}"}
    - {name: other, dir: "{dir:other}"}
  clusters:
    prod:
      - {location: local, schedule: "@daily"}
      - {location: other, schedule: "@daily"}
`)
	for _, tc := range []struct {
		kind, params, want string
	}{
		{KindBackup, `{"location": "Bad/../x"}`, `location: "Bad/../x": want a configured location's name`},
		{KindBackup, `{"location": 3}`, "location: want string, got number"},
		{KindBackup, `{"name": "x.db"}`, "name: unknown parameter"},
		{KindBackup, `{"bucket": "x"}`, "bucket: unknown parameter"},
		{KindBackupVerify, `{"location": "local"}`, "name: must not be empty"},
		{KindBackupVerify, `{"location": "local", "name": "../etc/passwd"}`, `name "../etc/passwd": want a backup's name`},
		{KindBackupRestore, `{"name": "a.db", "data_dir": "../x", "member_name": "m0", "initial_advertise_peer_urls": ["http://h:1"]}`, `data_dir "../x": want letters`},
		{KindBackupRestore, `{"name": "a.db", "data_dir": "x", "member_name": "m0", "initial_advertise_peer_urls": []}`, "initial_advertise_peer_urls: must not be empty"},
		{KindBackupRestore, `{"name": "a.db", "data_dir": "x", "member_name": "m0", "initial_advertise_peer_urls": ["ftp://h"]}`, "initial_advertise_peer_urls[0]: want http(s)://host:port"},
		{KindBackupRestore, `{"name": "a.db", "data_dir": "x", "member_name": "m0", "initial_advertise_peer_urls": ["http://h:1"], "initial_cluster": "m1=http://h:1"}`, `initial_cluster: does not list member_name "m0"`},
		{KindBackupRestore, `{"name": "a.db", "data_dir": "x", "member_name": "m0", "initial_advertise_peer_urls": ["http://h:1"], "bump_revision": 5}`, "mark_compacted: must be set with bump_revision"},
		{KindBackupDrill, `{"location": "local", "name": "` + strings.Repeat("n", 300) + `"}`, "want a backup's name"},
	} {
		err := e.kind(tc.kind).Validate(json.RawMessage(tc.params))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: %v, want %q", tc.kind, tc.params, err, tc.want)
		}
	}
	for _, tc := range []struct {
		kind, params, want string
	}{
		{KindBackup, `{}`, "location: must be set: cluster prod has backups in local, other"},
		{KindBackup, `{"location": "nope"}`, `location: cluster prod has no backup location "nope"`},
		{KindBackupInspect, `{"location": "nope"}`, `location: cluster prod has no backup location "nope"`},
	} {
		err := e.kind(tc.kind).Admit("prod", json.RawMessage(tc.params))
		if !errors.Is(err, jobs.ErrInvalidParameters) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("admit %s %s: %v, want a 400 with %q", tc.kind, tc.params, err, tc.want)
		}
	}
	if err := e.kind(KindBackup).Admit("dev", json.RawMessage(`{}`)); !errors.Is(err, jobs.ErrInvalidParameters) ||
		!strings.Contains(err.Error(), "cluster dev has no backup location configured") {
		t.Errorf("a cluster without backups: %v", err)
	}
}

// An encrypted location's identity never shows in job records or events.
func TestBackupJobsKeepTheAgeIdentityOutOfRecordsAndEvents(t *testing.T) {
	c := startCluster(t, false)
	e := newBackupEnv(t, c, openStore(t), `  locations:
    - {name: sealed, dir: "{dir:sealed}", encryption: {recipients_file: "{pub}", identity_file: "{key}"}}
  clusters:
    prod:
      - {location: sealed, schedule: "@daily"}
`)
	l, _ := e.cfg.Backups.LocationByName("sealed")
	secret, err := os.ReadFile(l.Encryption.IdentityFile)
	if err != nil {
		t.Fatal(err)
	}
	j := e.run(t, KindBackup, `{}`)
	r := backupResultOf(t, j)
	if !r.Backup.Encrypted || !strings.HasSuffix(r.Backup.Name, ".db.age") {
		t.Fatalf("backup %+v: want encrypted", r.Backup)
	}
	v := e.run(t, KindBackupVerify, `{"name": "`+r.Backup.Name+`"}`)
	if v.Status != store.JobSucceeded {
		t.Fatalf("verify: %s", v.Error)
	}
	all, _ := json.Marshal(e.events(t, store.BackupEventFilter{}))
	for _, text := range []string{string(all), string(record(t, e.st, j.ID).Result), string(record(t, e.st, v.ID).Result)} {
		if strings.Contains(text, strings.TrimSpace(string(secret))) || strings.Contains(text, "AGE-SECRET-KEY") {
			t.Fatalf("the identity shows: %s", text)
		}
	}
}
