package jobkinds

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// The member a backup streams from dies half way through an S3 upload (stopped when the
// upload manager, having read a whole part from the stream, starts the multipart upload): the
// upload is aborted, so no object is left of it, and the job succeeds from another member,
// with the failed attempt in its record. The S3 keys, read from their files, are nowhere in
// the job's record or the events.
func TestBackupJobToS3RetriesOnAnotherMemberWhenTheSourceDiesHalfWay(t *testing.T) {
	c := startCluster(t, false)
	// About 24 MiB: far more than gRPC buffers, so that stopping the member cuts the stream.
	val := strings.Repeat("s", 2048)
	for i := range 240 {
		ops := make([]clientv3.Op, 50)
		for j := range ops {
			ops[j] = clientv3.OpPut(fmt.Sprintf("/big/%03d/%02d", i, j), val)
		}
		if _, err := c.cli.Txn(context.Background()).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	leader := c.leaderName(t)
	var followers []string
	for _, m := range c.Members {
		if m.Name != leader {
			followers = append(followers, m.Name)
		}
	}
	slices.Sort(followers)
	first := followers[0] // the engine tries healthy followers by name
	var once sync.Once
	fake := gofakes3.New(s3mem.New()).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Query().Has("uploads") {
			once.Do(func() {
				for _, m := range c.Members {
					if m.Name == first {
						go m.Stop(t)
						u, _ := url.Parse(m.ClientURL)
						deadline := time.Now().Add(20 * time.Second)
						for time.Now().Before(deadline) {
							conn, err := net.DialTimeout("tcp", u.Host, 100*time.Millisecond)
							if err != nil {
								break
							}
							conn.Close()
							time.Sleep(20 * time.Millisecond)
						}
					}
				}
			})
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/backups", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("create bucket: %v %v", resp, err)
	}
	keys := t.TempDir()
	write(t, filepath.Join(keys, "id"), "AKIDBACKUPTEST\n")
	write(t, filepath.Join(keys, "secret"), "s3cret-backup-key-do-not-show\n")
	e := newBackupEnv(t, c, openStore(t), fmt.Sprintf(`  locations:
    - name: bucket
      s3: {endpoint: %q, bucket: backups, prefix: etcd/, access_key_id_file: %s, secret_access_key_file: %s, force_path_style: true}
  clusters:
    prod:
      - {location: bucket, schedule: "@daily"}
`, srv.URL, filepath.Join(keys, "id"), filepath.Join(keys, "secret")))
	j := e.run(t, KindBackup, `{}`)
	r := backupResultOf(t, j)
	rec := r.Backup
	if len(rec.Attempts) != 1 || rec.Attempts[0].Member != first || rec.Member == first || !rec.Verification.OK {
		t.Fatalf("attempts %+v, saved from %s (stopped %s), verification %+v", rec.Attempts, rec.Member, first, rec.Verification)
	}
	if rec.SnapshotSize < 20<<20 {
		t.Fatalf("snapshot of %d bytes; want the whole database", rec.SnapshotSize)
	}
	l, _ := e.cfg.Backups.LocationByName("bucket")
	objs, err := l.Location.List(context.Background())
	if err != nil || len(objs) != 1 || objs[0].Name != rec.Name || objs[0].Size != rec.Size {
		t.Fatalf("the bucket holds %+v (%v), want only %s", objs, err, rec.Name)
	}
	evs, _ := json.Marshal(e.events(t, store.BackupEventFilter{}))
	for _, text := range []string{string(evs), string(record(t, e.st, j.ID).Result), fmt.Sprint(record(t, e.st, j.ID))} {
		if strings.Contains(text, "s3cret-backup-key-do-not-show") || strings.Contains(text, "AKIDBACKUPTEST") {
			t.Fatalf("an S3 key shows: %s", text)
		}
	}
}
