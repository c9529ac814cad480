package opsproxy

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func listedSnapshots(t *testing.T, e *env, token string) map[string]snapshotInfo {
	t.Helper()
	r := e.call(t, "GET", "/api/v1/snapshots", token, nil)
	var l struct{ Snapshots []snapshotInfo }
	r.json(t, &l)
	if r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	out := map[string]snapshotInfo{}
	for _, s := range l.Snapshots {
		out[s.Name] = s
	}
	return out
}

// Snapshots remember the cluster they came from: an admin limited to clusters sees and uses
// only those of its clusters, and is refused (403, audited as denied) the others'.
func TestSnapshotsAreScopedToTheClusterTheyWereSavedFrom(t *testing.T) {
	other := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := newEnv(t, envOptions{configure: func(c *Config) {
		c.Clusters = append(c.Clusters, clusterconfig.Cluster{Name: "c2", Endpoints: other.Endpoints(),
			DialTimeout: model.Duration(2 * time.Second), RequestTimeout: model.Duration(5 * time.Second)})
	}})
	for cluster, name := range map[string]string{"c1": "one.db", "c2": "two.db"} {
		r := e.call(t, "POST", "/api/v1/clusters/"+cluster+"/snapshots", e.admin, map[string]any{"name": name})
		var saved snapshotInfo
		r.json(t, &saved)
		if r.status != 201 || saved.Cluster != cluster {
			t.Fatalf("save %s: %d %s", name, r.status, r.body)
		}
	}
	dir := e.cfg.Maintenance.SnapshotDir
	// A snapshot copied in by hand has no recorded cluster.
	copyFile(t, filepath.Join(dir, "one.db"), filepath.Join(dir, "manual.db"))
	// The metadata is written whole: only the two metadata files, no temporary file.
	metas, err := os.ReadDir(filepath.Join(dir, snapshotMetaDir))
	if err != nil {
		t.Fatal(err)
	}
	var metaNames []string
	for _, m := range metas {
		metaNames = append(metaNames, m.Name())
	}
	if !slices.Equal(metaNames, []string{"one.db.json", "two.db.json"}) {
		t.Fatalf("metadata files %v", metaNames)
	}

	adminC1 := e.token(t, TokenSpec{Name: "admin-c1", Role: "admin", Clusters: []string{"c1"}})
	adminC2 := e.token(t, TokenSpec{Name: "admin-c2", Role: "admin", Clusters: []string{"c2"}})

	t.Run("list shows only the token's clusters", func(t *testing.T) {
		for _, cs := range []struct {
			token string
			want  map[string]string // name -> cluster
		}{
			{e.admin, map[string]string{"one.db": "c1", "two.db": "c2", "manual.db": ""}},
			{adminC1, map[string]string{"one.db": "c1"}},
			{adminC2, map[string]string{"two.db": "c2"}},
		} {
			got := listedSnapshots(t, e, cs.token)
			if len(got) != len(cs.want) {
				t.Fatalf("listed %v, want %v", got, cs.want)
			}
			for name, cluster := range cs.want {
				if s, ok := got[name]; !ok || s.Cluster != cluster {
					t.Fatalf("listed %v, want %v", got, cs.want)
				}
			}
		}
	})

	restore := func(dataDir string) map[string]any {
		return map[string]any{"data_dir": dataDir, "name": "m0", "initial_advertise_peer_urls": []string{"http://127.0.0.1:2380"}}
	}
	cases := []struct {
		name, token, method, path string
		body                      any
		status                    int
		cluster                   string
		want                      string
	}{
		{"status of its cluster's snapshot", adminC1, "GET", "/api/v1/snapshots/one.db", nil, 200, "c1", `"cluster":"c1"`},
		{"status of another cluster's snapshot", adminC1, "GET", "/api/v1/snapshots/two.db", nil, 403, "c2", `snapshot \"two.db\" of cluster \"c2\"`},
		{"restore of another cluster's snapshot", adminC1, "POST", "/api/v1/snapshots/two.db/restore", restore("from-two"), 403, "c2", `of cluster \"c2\"`},
		{"restore of its cluster's snapshot", adminC1, "POST", "/api/v1/snapshots/one.db/restore", restore("from-one"), 201, "c1", `"data_dir"`},
		{"snapshot of no known cluster, scoped token", adminC2, "GET", "/api/v1/snapshots/manual.db", nil, 403, "", "no known cluster"},
		{"snapshot of no known cluster, token for all clusters", e.admin, "GET", "/api/v1/snapshots/manual.db", nil, 200, "", `"name":"manual.db"`},
		{"save from another cluster", adminC1, "POST", "/api/v1/clusters/c2/snapshots", map[string]any{"name": "three.db"}, 403, "c2", `may not act on cluster \"c2\"`},
		{"metadata directory as a name", e.admin, "GET", "/api/v1/snapshots/.meta", nil, 400, "", "snapshot"},
		{"metadata file as a path", e.admin, "GET", "/api/v1/snapshots/..%2F.meta%2Fone.db.json", nil, 400, "", "snapshot"},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			r := e.call(t, cs.method, cs.path, cs.token, cs.body)
			if r.status != cs.status || !strings.Contains(string(r.body), cs.want) {
				t.Fatalf("status %d body %s, want %d with %s", r.status, r.body, cs.status, cs.want)
			}
			if r.status >= 400 && r.status != 403 {
				return
			}
			n := 1
			if cs.method != "GET" && r.status < 300 {
				n = 2 // attempted, then succeeded
			}
			recs := e.audit(t, r.header.Get(RequestIDHeader), n)
			last := recs[len(recs)-1]
			wantOutcome := store.OutcomeSucceeded
			if r.status == 403 {
				wantOutcome = store.OutcomeDenied
			}
			if last.Outcome != wantOutcome || last.Cluster != cs.cluster {
				t.Fatalf("audit record %+v: want outcome %s on cluster %q", last, wantOutcome, cs.cluster)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(e.cfg.Maintenance.RestoreDir, "from-two")); !os.IsNotExist(err) {
		t.Fatalf("a refused restore wrote its data directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "three.db")); !os.IsNotExist(err) {
		t.Fatalf("a refused save wrote its snapshot: %v", err)
	}
}

// A snapshot file removed by hand leaves its metadata behind; a new snapshot of the same name
// from another cluster is recorded as that cluster's, not the old one's.
func TestSnapshotSavedUnderAReusedNameGetsItsOwnCluster(t *testing.T) {
	other := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := newEnv(t, envOptions{configure: func(c *Config) {
		c.Clusters = append(c.Clusters, clusterconfig.Cluster{Name: "c2", Endpoints: other.Endpoints(),
			DialTimeout: model.Duration(2 * time.Second), RequestTimeout: model.Duration(5 * time.Second)})
	}})
	if r := e.call(t, "POST", "/api/v1/clusters/c1/snapshots", e.admin, map[string]any{"name": "reused.db"}); r.status != 201 {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	if err := os.Remove(filepath.Join(e.cfg.Maintenance.SnapshotDir, "reused.db")); err != nil {
		t.Fatal(err)
	}
	if r := e.call(t, "POST", "/api/v1/clusters/c2/snapshots", e.admin, map[string]any{"name": "reused.db"}); r.status != 201 {
		t.Fatalf("save again: %d %s", r.status, r.body)
	}
	adminC1 := e.token(t, TokenSpec{Name: "admin-c1", Role: "admin", Clusters: []string{"c1"}})
	if r := e.call(t, "GET", "/api/v1/snapshots/reused.db", adminC1, nil); r.status != 403 {
		t.Fatalf("c1's admin on c2's snapshot: %d %s", r.status, r.body)
	}
	if got := listedSnapshots(t, e, e.admin)["reused.db"].Cluster; got != "c2" {
		t.Fatalf("listed as cluster %q, want c2", got)
	}
}
