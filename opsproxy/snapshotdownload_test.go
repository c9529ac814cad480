package opsproxy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/maintenance"
)

// download is the answer to GET /clusters/{cluster}/snapshot, trailers included.
type download struct {
	status  int
	header  http.Header
	trailer http.Header
	body    []byte
}

func (e *env) downloadSnapshot(t *testing.T, cluster, token string) download {
	t.Helper()
	req, err := http.NewRequest("GET", e.url+"/api/v1/clusters/"+cluster+"/snapshot", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("download body: %v", err)
	}
	return download{status: resp.StatusCode, header: resp.Header, trailer: resp.Trailer, body: body}
}

func TestSnapshotDownloadStreamsAFollowersSnapshotWithItsSumAndIsAudited(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	e := newEnv(t, envOptions{cluster: c.Cluster})
	cli := c.Client(t)
	for i := range 40 {
		if _, err := cli.Put(context.Background(), fmt.Sprintf("/download/%02d", i), "v"); err != nil {
			t.Fatal(err)
		}
	}
	leaderBefore := c.Leader(t)
	d := e.downloadSnapshot(t, "c1", e.admin)
	if d.status != 200 || d.header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("download: %d %s %.200q", d.status, d.header, d.body)
	}
	sum := sha256.Sum256(d.body)
	if got := d.trailer.Get(maintenance.SnapshotSHA256Trailer); got != hex.EncodeToString(sum[:]) {
		t.Fatalf("trailer %s = %q, body sha256 %x", maintenance.SnapshotSHA256Trailer, got, sum)
	}
	path := filepath.Join(t.TempDir(), "downloaded.db")
	if err := os.WriteFile(path, d.body, 0o600); err != nil {
		t.Fatal(err)
	}
	status, err := snapshotfile.StatusOf(path)
	if err != nil || status.TotalKeys < 40 {
		t.Fatalf("etcd reads the downloaded snapshot as %+v (%v), want at least 40 keys", status, err)
	}
	// The member's storage version, which a just started cluster may not have written yet.
	if v := d.header.Get(maintenance.SnapshotVersionHeader); v != "" && !strings.HasPrefix(v, "3.") {
		t.Errorf("%s = %q, want the member's etcd version or none", maintenance.SnapshotVersionHeader, v)
	}
	member := d.header.Get(maintenance.SnapshotMemberHeader)
	// Judged only when the leadership held meanwhile (an election on a loaded machine moves it).
	if leader := c.Leader(t); member == "" || leader == leaderBefore && member == c.Members[leader].Name {
		t.Errorf("snapshot taken from %q, want a follower (the leader is %s)", member, c.Members[leader].Name)
	}

	recs := e.audit(t, d.header.Get(RequestIDHeader), 2)
	if recs[0].Operation != "snapshots.download" || recs[0].Outcome != store.OutcomeAttempted || recs[0].Cluster != "c1" {
		t.Errorf("first record %+v, want the attempt of snapshots.download on c1", recs[0])
	}
	done := recs[1]
	if done.Outcome != store.OutcomeSucceeded || done.ValueSize != int64(len(d.body)) || done.ValueSHA256 != hex.EncodeToString(sum[:]) || string(done.Key) != member {
		t.Errorf("outcome record %+v, want succeeded with the size, sha256 and member", done)
	}
}

func TestSnapshotDownloadRefusesOtherRolesAndClustersBeforeAnyByte(t *testing.T) {
	e := newEnv(t, envOptions{})
	cases := []struct {
		name    string
		spec    TokenSpec
		cluster string
		status  int
		want    string
	}{
		{"viewer", TokenSpec{Name: "dl-viewer", Role: "viewer"}, "c1", 403, "snapshots download"},
		{"editor", TokenSpec{Name: "dl-editor", Role: "editor", KeyPrefixes: []string{"/"}}, "c1", 403, "snapshots download"},
		{"admin of another cluster", TokenSpec{Name: "dl-elsewhere", Role: "admin", Clusters: []string{"c2"}}, "c1", 403, `may not act on cluster "c1"`},
		{"no such cluster", TokenSpec{Name: "dl-admin", Role: "admin"}, "nope", 404, `no cluster "nope"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := e.token(t, tc.spec)
			d := e.downloadSnapshot(t, tc.cluster, tok)
			r := response{status: d.status, header: d.header, body: d.body}
			if d.status != tc.status || !strings.Contains(r.errorText(t), tc.want) {
				t.Fatalf("%d %s, want %d naming %q", d.status, d.body, tc.status, tc.want)
			}
			if strings.Contains(string(d.body), tok) {
				t.Fatalf("the answer carries the token: %s", d.body)
			}
			rec := e.audit(t, d.header.Get(RequestIDHeader), 1)[0]
			if rec.Operation != "snapshots.download" || (tc.status == 403) != (rec.Outcome == store.OutcomeDenied) {
				t.Fatalf("audit %+v", rec)
			}
		})
	}
}

func TestSnapshotDownloadAnswers503WhenEtcdIsDown(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := newEnv(t, envOptions{cluster: c.Cluster})
	if d := e.downloadSnapshot(t, "c1", e.admin); d.status != 200 {
		t.Fatalf("download while etcd is up: %d %.200q", d.status, d.body)
	}
	c.Members[0].Stop(t)
	d := e.downloadSnapshot(t, "c1", e.admin)
	r := response{status: d.status, header: d.header, body: d.body}
	if d.status != 503 || !strings.HasPrefix(d.header.Get("Content-Type"), "application/json") || r.errorText(t) == "" {
		t.Fatalf("download with etcd down: %d %s %.200q, want a 503 JSON error", d.status, d.header, d.body)
	}
}

func TestSnapshotDownloadIsRefusedWhenTheAuditLogIsDown(t *testing.T) {
	st, p := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st})
	e.storeDown(t, p)
	d := e.downloadSnapshot(t, "c1", e.admin)
	r := response{status: d.status, header: d.header, body: d.body}
	if d.status != 503 || !strings.Contains(r.errorText(t), "audit log unavailable") {
		t.Fatalf("download with the audit log down: %d %.200q, want 503 audit log unavailable", d.status, d.body)
	}
}
