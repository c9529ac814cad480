package plugin

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/etcd-monitor/etcd-monitor/grafana-app/internal/opsproxytest"
)

// The Backups page's download is a link to the plugin's resource in Grafana: the backend passes
// the snapshot through whole, with its file name, for an org Admin, and opsproxy refuses a Viewer.
func TestForwardPassesABackupDownloadToAnAdminOnly(t *testing.T) {
	env := opsproxytest.New(t)
	dir := t.TempDir()
	for _, d := range []string{"local", "scratch"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	env.Reconfigure(t, fmt.Sprintf(`backups:
  scratch_dir: %s
  locations:
    - name: local
      dir: %s
  clusters:
    c1:
      - location: local
        max_age: 1h
`, filepath.Join(dir, "scratch"), filepath.Join(dir, "local")))
	s := settings(env.URL, env.Service)
	logs := newTestLogger()
	a := newApp(s, logs)
	admin := &backend.User{Login: "ada", Role: "Admin"}

	// A backup, made by a job as the page starts it.
	enq := call(t, a, s, admin, http.MethodPost, "api/v1/jobs",
		[]byte(`{"kind":"backup","cluster":"c1","parameters":{"location":"local"},"idempotency_key":"plugin-backup"}`))
	if enq.status != http.StatusCreated && enq.status != http.StatusOK && enq.status != http.StatusAccepted {
		t.Fatalf("enqueue a backup as Admin: %d %s", enq.status, enq.body)
	}
	var job struct {
		ID, Status, Error string
	}
	if err := json.Unmarshal(enq.body, &job); err != nil {
		t.Fatal(err)
	}
	// A generous bound for a busy machine, not a speed check.
	for deadline := time.Now().Add(2 * time.Minute); job.Status != "succeeded"; time.Sleep(200 * time.Millisecond) {
		if job.Status == "failed" || job.Status == "cancelled" || time.Now().After(deadline) {
			t.Fatalf("backup job: %+v", job)
		}
		r := call(t, a, s, admin, http.MethodGet, "api/v1/jobs/"+url.PathEscape(job.ID), nil)
		if err := json.Unmarshal(r.body, &job); err != nil {
			t.Fatalf("job: %d %s", r.status, r.body)
		}
	}

	list := call(t, a, s, admin, http.MethodGet, "api/v1/clusters/c1/backups?location=local", nil)
	var backups struct {
		Backups []struct{ Name string } `json:"backups"`
	}
	if err := json.Unmarshal(list.body, &backups); err != nil || len(backups.Backups) != 1 {
		t.Fatalf("backups: %d %s", list.status, list.body)
	}
	name := backups.Backups[0].Name
	path := "api/v1/clusters/c1/backups/local/" + url.PathEscape(name)
	var detail struct {
		Record struct {
			SHA256       string `json:"sha256"`
			SnapshotSize int64  `json:"snapshot_size"`
		} `json:"record"`
	}
	if r := call(t, a, s, admin, http.MethodGet, path, nil); json.Unmarshal(r.body, &detail) != nil || detail.Record.SHA256 == "" {
		t.Fatalf("backup: %d %s", r.status, r.body)
	}

	got := call(t, a, s, admin, http.MethodGet, path+"/download", nil)
	if got.status != http.StatusOK {
		t.Fatalf("download as Admin: %d %s", got.status, got.body)
	}
	sum := sha256.Sum256(got.body)
	if int64(len(got.body)) != detail.Record.SnapshotSize || hex.EncodeToString(sum[:]) != detail.Record.SHA256 {
		t.Errorf("downloaded %d bytes with sha256 %x, want the record's %d bytes and %s", len(got.body), sum, detail.Record.SnapshotSize, detail.Record.SHA256)
	}
	if ct := strings.Join(got.headers["Content-Type"], ","); ct != "application/octet-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := strings.Join(got.headers["Content-Disposition"], ","); !strings.Contains(cd, name) {
		t.Errorf("Content-Disposition %q does not name %s", cd, name)
	}
	// The download's record is completed once its last byte is sent, after the answer has left.
	recs := env.Audit(t, "operation=backups.download&outcome=succeeded")
	for deadline := time.Now().Add(10 * time.Second); len(recs) == 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		recs = env.Audit(t, "operation=backups.download&outcome=succeeded")
	}
	if len(recs) != 1 || recs[0].User != "ada" {
		t.Errorf("audit of the download: %+v, want one record of the Grafana user ada", recs)
	}

	viewer := &backend.User{Login: "bob", Role: "Viewer"}
	for _, p := range []string{path + "/download", "api/v1/clusters/c1/backups", "api/v1/clusters/c1/backup-locations"} {
		if r := call(t, a, s, viewer, http.MethodGet, p, nil); r.status != http.StatusForbidden {
			t.Errorf("%s as Viewer: %d %s, want 403 from opsproxy", p, r.status, r.body)
		}
	}
	assertNoSecret(t, env.Service, "answer", string(list.body)+headerText(got.headers))
	assertNoSecret(t, env.Service, "plugin log", logs.String())
}
