package opsproxy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	dto "github.com/prometheus/client_model/go"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
	"github.com/etcd-monitor/etcd-monitor/internal/metricsdoc"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/backupapi"
)

// backupEnv is a server whose cluster c1 is backed up, encrypted, to the directory location
// "local", and watched in "theirs", a directory another tool fills.
type backupEnv struct {
	*env
	local, theirs string
	// extra is the configuration's backups section.
	extra              string
	keyFile, recipient string
	identity           string
}

func newBackupEnv(t *testing.T, o envOptions) *backupEnv {
	t.Helper()
	dir := t.TempDir()
	b := &backupEnv{local: filepath.Join(dir, "backups"), theirs: filepath.Join(dir, "theirs")}
	for _, d := range []string{b.local, b.theirs, filepath.Join(dir, "keys")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	b.identity, b.recipient = id.String(), id.Recipient().String()
	b.keyFile = filepath.Join(dir, "keys", "backup.key")
	pub := filepath.Join(dir, "keys", "backup.pub")
	if err := os.WriteFile(b.keyFile, []byte(b.identity+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pub, []byte(b.recipient+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.extra = fmt.Sprintf(`backups:
  scratch_dir: %s
  locations:
    - name: local
      dir: %s
      encryption: {recipients_file: %s, identity_file: %s}
    - name: theirs
      dir: %s
      external: true
  clusters:
    c1:
      - location: local
        schedule: "0 0 1 1 *"
        max_age: 13h
        retention: {count: 14, max_age: 720h}
        drill_schedule: "30 3 1 1 *"
      - location: theirs
        max_age: 25h
        prefix: etcd-
`, filepath.Join(dir, "scratch"), b.local, pub, b.keyFile, b.theirs)
	o.extra += b.extra
	b.env = newEnv(t, o)
	return b
}

// makeBackup backs c1 up into "local" with the backup engine, as the backup job does, and stores
// its event.
func (b *backupEnv) makeBackup(t *testing.T) backup.Record {
	t.Helper()
	conn, err := etcdconn.New(clusterconfig.Cluster{Name: "c1", Endpoints: b.etcd.Endpoints()})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dir, err := location.NewDir(b.local)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := backup.New(backup.Config{Cluster: "c1", Conn: conn, Location: dir, Prefix: "c1-", ScratchDir: t.TempDir(),
		Encryption: &backup.Encryption{Recipients: []string{b.recipient}, IdentityFile: b.keyFile}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rec, err := eng.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(rec)
	if _, err := b.store.SaveBackupEvent(ctx, store.BackupEvent{Cluster: "c1", Location: "local", Kind: store.BackupEventBackup,
		Name: rec.Name, JobID: "job-" + rec.Name, StartedAt: rec.StartedAt, FinishedAt: rec.FinishedAt, OK: true, Size: rec.Size, Record: raw}); err != nil {
		t.Fatal(err)
	}
	return rec
}

// The locations, the backups joined with their events, one backup in full, and the events, as
// an admin reads them; nothing of the encryption key shows.
func TestBackupsAPIListsLocationsBackupsAndEvents(t *testing.T) {
	b := newBackupEnv(t, envOptions{})
	if _, err := b.etcdClient(t).Put(context.Background(), uniquePrefix(t)+"k", "v"); err != nil {
		t.Fatal(err)
	}
	rec := b.makeBackup(t)
	if err := os.WriteFile(filepath.Join(b.theirs, "etcd-snapshot-1.db"), []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.theirs, "unrelated.txt"), []byte("no"), 0o600); err != nil {
		t.Fatal(err)
	}

	r := b.call(t, "GET", "/api/v1/clusters/c1/backup-locations", b.admin, nil)
	if r.status != 200 {
		t.Fatalf("locations: %d %s", r.status, r.body)
	}
	var locs backupapi.LocationList
	r.json(t, &locs)
	want := []backupapi.Location{
		{Name: "local", Kind: "dir", Where: "dir " + b.local, Encrypted: true, Schedule: "0 0 1 1 *", MaxAgeSeconds: 13 * 3600,
			Retention: backupapi.Retention{Count: 14, MaxAgeSeconds: 720 * 3600}, DrillSchedule: "30 3 1 1 *"},
		{Name: "theirs", Kind: "dir", Where: "dir " + b.theirs, External: true, MaxAgeSeconds: 25 * 3600, InspectSchedule: "*/15 * * * *"},
	}
	if fmt.Sprint(locs.Locations) != fmt.Sprint(want) {
		t.Fatalf("locations:\n got %+v\nwant %+v", locs.Locations, want)
	}
	noSecret(t, "locations", string(r.body), b)

	r = b.call(t, "GET", "/api/v1/clusters/c1/backups", b.admin, nil)
	var list backup.List
	r.json(t, &list)
	if r.status != 200 || len(list.Backups) != 2 {
		t.Fatalf("backups: %d %s", r.status, r.body)
	}
	var ours backup.Summary
	for _, s := range list.Backups {
		if s.Name == rec.Name {
			ours = s
		}
	}
	if ours.Location != "local" || !ours.Encrypted || ours.Size != rec.Size || ours.SnapshotSize != rec.SnapshotSize ||
		ours.Revision != rec.Restore.Revision || ours.KeyCount != rec.Restore.KeyCount || ours.JobID != "job-"+rec.Name ||
		ours.Verified == nil || !ours.Verified.OK || ours.Drill != nil || ours.External {
		t.Fatalf("our backup: %+v (record %+v)", ours, rec)
	}
	r = b.call(t, "GET", "/api/v1/clusters/c1/backups?location=theirs", b.admin, nil)
	r.json(t, &list)
	if r.status != 200 || len(list.Backups) != 1 || list.Backups[0].Name != "etcd-snapshot-1.db" || !list.Backups[0].External || list.Backups[0].Verified != nil {
		t.Fatalf("their backups (only names with the prefix): %d %s", r.status, r.body)
	}

	r = b.call(t, "GET", "/api/v1/clusters/c1/backups/local/"+rec.Name, b.admin, nil)
	var one backupapi.Backup
	r.json(t, &one)
	if r.status != 200 || one.Record == nil || one.Record.SHA256 != rec.SHA256 || len(one.Events) != 1 || one.Events[0].Kind != store.BackupEventBackup {
		t.Fatalf("one backup: %d %s", r.status, r.body)
	}
	noSecret(t, "one backup", string(r.body), b)

	r = b.call(t, "GET", "/api/v1/clusters/c1/backup-events?location=local&kind=backup&limit=5", b.admin, nil)
	var evs backupapi.EventList
	r.json(t, &evs)
	if r.status != 200 || len(evs.Events) != 1 || evs.Events[0].Name != rec.Name {
		t.Fatalf("events: %d %s", r.status, r.body)
	}
	r = b.call(t, "GET", "/api/v1/clusters/c1/backup-events?kind=drill", b.admin, nil)
	r.json(t, &evs)
	if r.status != 200 || len(evs.Events) != 0 {
		t.Fatalf("drill events: %d %s", r.status, r.body)
	}
}

// noSecret fails when text holds the age identity, the identity file's path or its name.
func noSecret(t *testing.T, what, text string, b *backupEnv) {
	t.Helper()
	for _, s := range []string{b.identity, "AGE-SECRET-KEY", b.keyFile, "backup.key", "backup.pub"} {
		if strings.Contains(text, s) {
			t.Errorf("%s shows %q:\n%s", what, s, text)
		}
	}
}

// A download of an encrypted backup is the plaintext etcd snapshot, whose sha256 is the record's
// and the trailer's; it is audited as backups.download with the location/name, the size and the
// sha256, and the record holds nothing of the key.
func TestBackupDownloadIsThePlaintextSnapshotAndIsAudited(t *testing.T) {
	b := newBackupEnv(t, envOptions{})
	if _, err := b.etcdClient(t).Put(context.Background(), uniquePrefix(t)+"k", strings.Repeat("v", 100<<10)); err != nil {
		t.Fatal(err)
	}
	rec := b.makeBackup(t)
	stored, err := os.ReadFile(filepath.Join(b.local, rec.Name))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", b.url+"/api/v1/clusters/c1/backups/local/"+rec.Name+"/download", nil)
	req.Header.Set("Authorization", "Bearer "+b.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("download: %d %v", resp.StatusCode, err)
	}
	sum := sha256.Sum256(body)
	got := hex.EncodeToString(sum[:])
	if got != rec.SHA256 || int64(len(body)) != rec.SnapshotSize {
		t.Fatalf("downloaded %d bytes with sha256 %s, record says %d and %s", len(body), got, rec.SnapshotSize, rec.SHA256)
	}
	if string(body[:len(stored)/4]) == string(stored[:len(stored)/4]) || !strings.HasPrefix(string(stored), "age-encryption.org/v1") {
		t.Fatal("the stored backup is not encrypted, or the download is its encrypted form")
	}
	if resp.Trailer.Get("X-Snapshot-Sha256") != rec.SHA256 || resp.Header.Get(backupapi.RecordedSHA256Header) != rec.SHA256 {
		t.Fatalf("trailer %q, recorded header %q, want %s", resp.Trailer.Get("X-Snapshot-Sha256"), resp.Header.Get(backupapi.RecordedSHA256Header), rec.SHA256)
	}
	if resp.Header.Get("Content-Type") != "application/octet-stream" || !strings.Contains(resp.Header.Get("Content-Disposition"), strings.TrimSuffix(rec.Name, ".age")) {
		t.Fatalf("headers: %v", resp.Header)
	}
	recs := b.audit(t, resp.Header.Get("X-Request-Id"), 2)
	outcomes := map[store.Outcome]store.AuditRecord{}
	for _, r := range recs {
		outcomes[r.Outcome] = r
		if r.Operation != "backups.download" || r.Cluster != "c1" || string(r.Key) != "local/"+rec.Name {
			t.Errorf("audit record: %+v", r)
		}
		raw, _ := json.Marshal(r)
		noSecret(t, "audit record", string(raw), b)
	}
	done, ok := outcomes[store.OutcomeSucceeded]
	if _, attempted := outcomes[store.OutcomeAttempted]; !attempted || !ok || done.ValueSHA256 != rec.SHA256 || done.ValueSize != rec.SnapshotSize {
		t.Fatalf("audit: want an attempt and a success with the size and sha256: %+v", recs)
	}
	noSecret(t, "log", b.log.String(), b)
}

// /metrics shows the backups of every configured location by its name, never a path or a key,
// as docs/metrics.md lists them, and promtool finds nothing to complain about.
func TestBackupMetricsShowLocationsByNameOnly(t *testing.T) {
	b := newBackupEnv(t, envOptions{})
	first := b.makeBackup(t)
	rec := b.makeBackup(t)
	// A failed backup job and a drill of the first backup, as their jobs store them.
	now := time.Now()
	for _, ev := range []store.BackupEvent{
		{Cluster: "c1", Location: "local", Kind: store.BackupEventBackup, StartedAt: now, FinishedAt: now, Error: "write c1-x.db in dir /x: no space left on device"},
		{Cluster: "c1", Location: "local", Kind: store.BackupEventDrill, Name: first.Name, StartedAt: now, FinishedAt: now, OK: true},
	} {
		if _, err := b.store.SaveBackupEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	text, mfs := scrape(t, b.env)
	backups := map[string]*dto.MetricFamily{}
	for name, mf := range mfs {
		if strings.HasPrefix(name, "etcd_monitor_backup_") {
			backups[name] = mf
		}
	}
	metricsdoc.Check(t, "../docs/metrics.md", "backup-metrics", backups)
	cmd := exec.Command("promtool", "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	for _, want := range []string{
		`etcd_monitor_backup_objects{cluster="c1",location="local"} 2`,
		`etcd_monitor_backup_drill_success{cluster="c1",location="local"} 1`,
		fmt.Sprintf(`etcd_monitor_backup_previous_size_bytes{cluster="c1",location="local"} %d`, first.Size),
		`etcd_monitor_backup_objects{cluster="c1",location="theirs"} 0`,
		`etcd_monitor_backup_newest_verified{cluster="c1",location="local"} 1`,
		fmt.Sprintf(`etcd_monitor_backup_newest_size_bytes{cluster="c1",location="local"} %d`, rec.Size),
		`etcd_monitor_backup_max_age_seconds{cluster="c1",location="local"} 46800`,
		`etcd_monitor_backup_external{cluster="c1",location="theirs"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	noSecret(t, "/metrics", text, b)
	for _, path := range []string{b.local, b.theirs} {
		if strings.Contains(text, path) {
			t.Errorf("/metrics shows the path %s", path)
		}
	}
}

// A backup job's backup shows in the API verified, with its job, and downloads as the snapshot
// its record describes; the job's failed run (the location gone) shows in the events and the
// metrics.
func TestBackupJobsBackupsShowInTheAPIAndTheMetrics(t *testing.T) {
	b := newBackupEnv(t, envOptions{})
	j := b.enqueue(t, b.admin, map[string]any{"kind": "backup", "cluster": "c1", "parameters": map[string]string{"location": "local"}}, 202)
	j = b.waitJob(t, b.admin, j.ID, func(j store.Job) bool { return j.Status.Final() })
	if j.Status != store.JobSucceeded {
		t.Fatalf("backup job: %s %s", j.Status, j.Error)
	}
	r := b.call(t, "GET", "/api/v1/clusters/c1/backups?location=local", b.admin, nil)
	var list backup.List
	r.json(t, &list)
	if r.status != 200 || len(list.Backups) != 1 || list.Backups[0].JobID != j.ID || list.Backups[0].Verified == nil || !list.Backups[0].Verified.OK {
		t.Fatalf("after the job: %d %s", r.status, r.body)
	}
	name := list.Backups[0].Name
	r = b.call(t, "GET", "/api/v1/clusters/c1/backups/local/"+name, b.admin, nil)
	var one backupapi.Backup
	r.json(t, &one)
	if r.status != 200 || one.Record == nil || len(one.Events) != 2 {
		t.Fatalf("the job's backup (a backup and a verify event): %d %s", r.status, r.body)
	}
	r = b.call(t, "GET", "/api/v1/clusters/c1/backups/local/"+name+"/download", b.admin, nil)
	sum := sha256.Sum256(r.body)
	if r.status != 200 || hex.EncodeToString(sum[:]) != one.Record.SHA256 {
		t.Fatalf("download: %d, sha256 %x, record %s", r.status, sum, one.Record.SHA256)
	}

	if err := os.RemoveAll(b.local); err != nil {
		t.Fatal(err)
	}
	j = b.enqueue(t, b.admin, map[string]any{"kind": "backup", "cluster": "c1", "parameters": map[string]string{"location": "local"}}, 202)
	j = b.waitJob(t, b.admin, j.ID, func(j store.Job) bool { return j.Status.Final() })
	if j.Status != store.JobFailed || !strings.Contains(j.Error, b.local) {
		t.Fatalf("backup to a missing directory: %s %q, want failed naming %s", j.Status, j.Error, b.local)
	}
	r = b.call(t, "GET", "/api/v1/clusters/c1/backup-events?location=local&kind=backup", b.admin, nil)
	var evs backupapi.EventList
	r.json(t, &evs)
	if r.status != 200 || len(evs.Events) < 2 || evs.Events[0].OK || !strings.Contains(evs.Events[0].Error, b.local) {
		t.Fatalf("events after the failure: %d %s", r.status, r.body)
	}
	_, mfs := scrape(t, b.env)
	fail := value(mfs, "etcd_monitor_backup_last_failure_timestamp_seconds", "cluster", "c1", "location", "local")
	ok := value(mfs, "etcd_monitor_backup_last_success_timestamp_seconds", "cluster", "c1", "location", "local")
	if fail <= ok || ok <= 0 {
		t.Fatalf("last failure %v, last success %v: want the failure after the success", fail, ok)
	}
}

// A reload that drops a location drops it from the API and, at once, from /metrics.
func TestBackupLocationsFollowAReload(t *testing.T) {
	b := newBackupEnv(t, envOptions{})
	if body, _ := scrape(t, b.env); !strings.Contains(body, `location="theirs"`) {
		t.Fatal("/metrics lacks the watched location before the reload")
	}
	dropped := strings.Replace(b.extra, "      - location: theirs\n        max_age: 25h\n        prefix: etcd-\n", "", 1)
	if dropped == b.extra {
		t.Fatal("the test's configuration changed: nothing dropped")
	}
	b.rewrite(t, clusterEntry("c1", b.etcd), dropped)
	if r, _ := b.reload(t); r.status != 200 {
		t.Fatalf("reload: %d %s", r.status, r.body)
	}
	r := b.call(t, "GET", "/api/v1/clusters/c1/backup-locations", b.admin, nil)
	var locs backupapi.LocationList
	r.json(t, &locs)
	if r.status != 200 || len(locs.Locations) != 1 || locs.Locations[0].Name != "local" {
		t.Fatalf("locations after the reload: %d %s", r.status, r.body)
	}
	if r := b.call(t, "GET", "/api/v1/clusters/c1/backups?location=theirs", b.admin, nil); r.status != 404 {
		t.Fatalf("a dropped location: %d %s, want 404", r.status, r.body)
	}
	if body, _ := scrape(t, b.env); strings.Contains(body, `location="theirs"`) {
		t.Fatal("/metrics still shows the dropped location")
	}
}
