package opsproxy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// backupRoutes are every backups route, on a backup that exists.
func backupRoutes(name string) []string {
	return []string{
		"/api/v1/clusters/c1/backup-locations",
		"/api/v1/clusters/c1/backups",
		"/api/v1/clusters/c1/backups/local/" + name,
		"/api/v1/clusters/c1/backups/local/" + name + "/download",
		"/api/v1/clusters/c1/backup-events",
	}
}

// Backups hold every secret: viewers, editors and an admin limited to another cluster are
// refused (403, audited as denied) on every route, before anything is read.
func TestBackupsRoutesRefuseAllButTheClustersAdmins(t *testing.T) {
	b := newBackupEnv(t, envOptions{})
	rec := b.makeBackup(t)
	tokens := map[string]string{
		"viewer":             b.token(t, TokenSpec{Name: "viewer", Role: "viewer"}),
		"editor":             b.token(t, TokenSpec{Name: "editor", Role: "editor"}),
		"admin of c2 only":   b.token(t, TokenSpec{Name: "admin-c2", Role: "admin", Clusters: []string{"c2"}}),
		"admin of c1 and c2": b.token(t, TokenSpec{Name: "admin-c1c2", Role: "admin", Clusters: []string{"c1", "c2"}}),
		"unscoped admin":     b.admin,
	}
	for who, tok := range tokens {
		for _, path := range backupRoutes(rec.Name) {
			r := b.call(t, "GET", path, tok, nil)
			allowed := strings.HasPrefix(who, "admin of c1") || who == "unscoped admin"
			switch {
			case allowed && r.status != 200:
				t.Errorf("%s: GET %s: %d %s", who, path, r.status, r.body)
			case !allowed && r.status != 403:
				t.Errorf("%s: GET %s: %d %s, want 403", who, path, r.status, r.body)
			case !allowed:
				recs := b.audit(t, r.header.Get("X-Request-Id"), 1)
				if recs[0].Outcome != store.OutcomeDenied || recs[0].Cluster != "c1" {
					t.Errorf("%s: GET %s audited as %+v", who, path, recs[0])
				}
			}
		}
	}
}

// Unknown clusters, locations and names are 404; a name that is a path (escaped slashes,
// absolute, dot-dot, hidden) is 400, and nothing outside the location is read; a backup of
// another cluster in a shared location is 404 as if it did not exist; oversized input is 400.
func TestBackupsRoutesRefuseUnknownNamesPathsAndOversizedInput(t *testing.T) {
	b := newBackupEnv(t, envOptions{})
	rec := b.makeBackup(t)
	secret := "outside-the-location-" + store.NewID()
	if err := os.WriteFile(filepath.Join(filepath.Dir(b.local), "c1-outside.db"), []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.local, "c2-theirs.db"), []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path       string
		status     int
		errContain string
	}{
		{"/api/v1/clusters/nope/backups", 404, `no cluster "nope"`},
		{"/api/v1/clusters/c1/backups?location=nope", 404, `no backup location "nope"`},
		{"/api/v1/clusters/c1/backups/nope/" + rec.Name, 404, `no backup location "nope"`},
		{"/api/v1/clusters/c1/backups/local/c1-nope.db", 404, `holds no backup "c1-nope.db"`},
		{"/api/v1/clusters/c1/backups/local/c1-nope.db/download", 404, `holds no backup`},
		{"/api/v1/clusters/c1/backups/local/c2-theirs.db/download", 404, `holds no backup`},
		{"/api/v1/clusters/c1/backups/local/..%2Fc1-outside.db/download", 400, "name: want the plain name"},
		{"/api/v1/clusters/c1/backups/local/..%2F..%2F..%2Fetc%2Fpasswd/download", 400, "name: want the plain name"},
		{"/api/v1/clusters/c1/backups/local/%2Fetc%2Fpasswd/download", 400, "name: want the plain name"},
		{"/api/v1/clusters/c1/backups/local/%2E%2E/download", 400, "name: want the plain name"},
		{"/api/v1/clusters/c1/backups/local/.part-1/download", 400, "name: want the plain name"},
		{"/api/v1/clusters/c1/backups/local/" + strings.Repeat("a", 300) + "/download", 400, "name: want the plain name"},
		{"/api/v1/clusters/c1/backups?location=" + strings.Repeat("a", 300), 400, "location: want a backup location name"},
		{"/api/v1/clusters/c1/backups?limit=100000", 400, "limit: at most 1000"},
		{"/api/v1/clusters/c1/backups?limit=0", 400, "limit: must be at least 1"},
		{"/api/v1/clusters/c1/backup-events?kind=everything", 400, "kind: want backup, verify"},
		{"/api/v1/clusters/c1/backup-events?limit=x", 400, "limit: want an integer"},
	}
	for _, c := range cases {
		r := b.call(t, "GET", c.path, b.admin, nil)
		if r.status != c.status || !strings.Contains(r.errorText(t), c.errContain) {
			t.Errorf("GET %s: %d %s, want %d %q", c.path, r.status, r.body, c.status, c.errContain)
		}
		if strings.Contains(string(r.body), secret) {
			t.Errorf("GET %s read outside the location or another cluster's backup: %s", c.path, r.body)
		}
	}
}

// A location that cannot be read (an unmounted volume) is a 503 naming the location and why;
// the history store going away is a 503 without its internals.
func TestBackupsRoutesAnswer503WhenTheLocationOrTheStoreIsGone(t *testing.T) {
	st, p := openProxiedPostgres(t)
	b := newBackupEnv(t, envOptions{st: st, extra: "auth:\n  token_cache_ttl: 100ms\n"})
	rec := b.makeBackup(t)
	if err := os.RemoveAll(b.theirs); err != nil {
		t.Fatal(err)
	}
	r := b.call(t, "GET", "/api/v1/clusters/c1/backups?location=theirs", b.admin, nil)
	if msg := r.errorText(t); r.status != 503 || !strings.Contains(msg, "backup location theirs cannot be read") || !strings.Contains(msg, b.theirs) {
		t.Fatalf("location gone: %d %s", r.status, r.body)
	}
	b.storeDown(t, p)
	for _, path := range []string{
		"/api/v1/clusters/c1/backups?location=local",
		"/api/v1/clusters/c1/backups/local/" + rec.Name,
		"/api/v1/clusters/c1/backups/local/" + rec.Name + "/download",
		"/api/v1/clusters/c1/backup-events",
	} {
		r := b.call(t, "GET", path, b.admin, nil)
		if msg := r.errorText(t); r.status != 503 || !strings.Contains(msg, "history store unavailable") || strings.Contains(msg, "127.0.0.1") {
			t.Errorf("store down: GET %s: %d %s", path, r.status, r.body)
		}
	}
}

// A bucket's credentials (and the files holding them) show nowhere: not in the locations, the
// backups, a download's audit record, /metrics or the log.
func TestBackupsInS3ShowNoCredential(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("etcd"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	idFile, keyFile := filepath.Join(dir, "s3-access-id"), filepath.Join(dir, "s3-secret-key")
	accessID, secretKey := "AKIA"+store.NewID()[:12], "s3-secret-"+store.NewID()
	for f, v := range map[string]string{idFile: accessID, keyFile: secretKey} {
		if err := os.WriteFile(f, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnv(t, envOptions{extra: fmt.Sprintf(`backups:
  scratch_dir: %s
  locations:
    - name: offsite
      s3: {endpoint: %q, region: us-east-1, bucket: etcd, prefix: prod/, access_key_id_file: %s, secret_access_key_file: %s, force_path_style: true}
  clusters:
    c1:
      - location: offsite
        max_age: 13h
`, filepath.Join(dir, "scratch"), srv.URL, idFile, keyFile)})
	loc, err := location.NewS3(location.S3Config{Endpoint: srv.URL, Region: "us-east-1", Bucket: "etcd", Prefix: "prod/",
		AccessKeyID: accessID, SecretAccessKey: secretKey, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := etcdconn.New(clusterconfig.Cluster{Name: "c1", Endpoints: e.etcd.Endpoints()})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	eng, err := backup.New(backup.Config{Cluster: "c1", Conn: conn, Location: loc, Prefix: "c1-", ScratchDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := eng.Backup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(rec)
	if _, err := e.store.SaveBackupEvent(context.Background(), store.BackupEvent{Cluster: "c1", Location: "offsite", Kind: store.BackupEventBackup,
		Name: rec.Name, StartedAt: rec.StartedAt, FinishedAt: rec.FinishedAt, OK: true, Size: rec.Size, Record: raw}); err != nil {
		t.Fatal(err)
	}

	var seen []string
	r := e.call(t, "GET", "/api/v1/clusters/c1/backup-locations", e.admin, nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"where":"s3://etcd/prod/"`) || !strings.Contains(string(r.body), `"kind":"s3"`) {
		t.Fatalf("locations: %d %s", r.status, r.body)
	}
	seen = append(seen, string(r.body))
	r = e.call(t, "GET", "/api/v1/clusters/c1/backups", e.admin, nil)
	if r.status != 200 || !strings.Contains(string(r.body), rec.Name) {
		t.Fatalf("backups: %d %s", r.status, r.body)
	}
	seen = append(seen, string(r.body))
	r = e.call(t, "GET", "/api/v1/clusters/c1/backups/offsite/"+rec.Name+"/download", e.admin, nil)
	sum := sha256.Sum256(r.body)
	if r.status != 200 || hex.EncodeToString(sum[:]) != rec.SHA256 {
		t.Fatalf("download: %d", r.status)
	}
	for _, a := range e.audit(t, r.header.Get("X-Request-Id"), 2) {
		raw, _ := json.Marshal(a)
		seen = append(seen, string(raw))
	}
	body, _ := scrape(t, e)
	if !strings.Contains(body, `etcd_monitor_backup_objects{cluster="c1",location="offsite"} 1`) {
		t.Fatalf("/metrics lacks the bucket's backup:\n%s", body)
	}
	seen = append(seen, body, e.log.String())
	for _, text := range seen {
		for _, secret := range []string{accessID, secretKey, idFile, keyFile, "s3-access-id", "s3-secret-key"} {
			if strings.Contains(text, secret) {
				t.Errorf("%q shows in:\n%.2000s", secret, text)
			}
		}
	}
}
