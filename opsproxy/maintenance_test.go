package opsproxy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func TestCompactionToARevisionOrKeepingTheLastN(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := newEnv(t, envOptions{cluster: c.Cluster})
	cli := c.Client(t)
	ctx := context.Background()
	var last int64
	for i := range 20 {
		resp, err := cli.Put(ctx, "k", fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		last = resp.Header.Revision
	}
	cases := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"neither revision nor keep", `{}`, 400, "revision, keep: set exactly one"},
		{"both", `{"revision":3,"keep":2}`, 400, "revision, keep: set exactly one"},
		{"future revision", `{"revision":999999}`, 400, "future revision"},
		{"to a revision", `{"revision":5,"physical":true}`, 200, `"compacted_to":5`},
		{"already compacted", `{"revision":4}`, 409, "revision 4 is already compacted"},
		{"keeping the last 3", `{"keep":3}`, 200, fmt.Sprintf(`"compacted_to":%d`, last-3)},
		{"keeping more than there are", `{"keep":100000}`, 409, "keep: the cluster has only"},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			r := e.call(t, "POST", "/api/v1/clusters/c1/compact", e.admin, cs.body)
			if r.status != cs.status || !strings.Contains(string(r.body), cs.want) {
				t.Fatalf("status %d body %s, want %d with %q", r.status, r.body, cs.status, cs.want)
			}
		})
	}
	if _, err := cli.Get(ctx, "k", clientv3.WithRev(last-4)); err == nil {
		t.Fatalf("revision %d still readable after keeping the last 3", last-4)
	}
}

type defragAnswer struct {
	DryRun bool `json:"dry_run"`
	Steps  []defragStep
}

func TestDefragmentationGoesFollowersFirstLeaderLast(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	e := newEnv(t, envOptions{cluster: c.Cluster, store: postgresStore})
	leader := c.Members[c.Leader(t)].Name
	for _, dry := range []bool{true, false} {
		t.Run(fmt.Sprintf("dry_run=%t", dry), func(t *testing.T) {
			r := e.call(t, "POST", "/api/v1/clusters/c1/defragment", e.admin, map[string]any{"dry_run": dry})
			var a defragAnswer
			r.json(t, &a)
			if r.status != 200 || a.DryRun != dry || len(a.Steps) != 3 {
				t.Fatalf("defragment: %d %s", r.status, r.body)
			}
			for i, st := range a.Steps {
				if (i == 2) != st.Leader || (i == 2) != (st.Member == leader) {
					t.Fatalf("step %d is %s (leader %t); the leader %s must be last: %s", i, st.Member, st.Leader, leader, r.body)
				}
				if st.Done == dry {
					t.Fatalf("step %d done=%t with dry_run=%t", i, st.Done, dry)
				}
			}
		})
	}
	c.Members[0].Stop(t)
	r := e.call(t, "POST", "/api/v1/clusters/c1/defragment", e.admin, nil)
	if r.status != 409 || !strings.Contains(r.errorText(t), "is unhealthy") {
		t.Fatalf("with a member down: %d %s", r.status, r.body)
	}
}

func TestSnapshotIsSavedWithItsHashReadByEtcdAndRestoredIntoANewDirectory(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	e := newEnv(t, envOptions{cluster: c.Cluster})
	cli := c.Client(t)
	for i := range 50 {
		if _, err := cli.Put(context.Background(), fmt.Sprintf("/snap/%02d", i), "v"); err != nil {
			t.Fatal(err)
		}
	}
	r := e.call(t, "POST", "/api/v1/clusters/c1/snapshots", e.admin, map[string]any{"name": "first.db"})
	var saved snapshotInfo
	r.json(t, &saved)
	if r.status != 201 || saved.Status == nil || saved.Status.TotalKeys < 50 || saved.SHA256 == "" {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	path := filepath.Join(e.cfg.Maintenance.SnapshotDir, "first.db")
	if sum, err := fileDigest(path); err != nil || sum != saved.SHA256 {
		t.Fatalf("file sha256 %s, answered %s (%v)", sum, saved.SHA256, err)
	}
	recs := e.audit(t, r.header.Get(RequestIDHeader), 2)
	if recs[1].ValueSHA256 != saved.SHA256 || recs[1].ValueSize != saved.Size || recs[1].Outcome != store.OutcomeSucceeded {
		t.Fatalf("audit %+v", recs[1])
	}

	r = e.call(t, "GET", "/api/v1/snapshots/first.db", e.admin, nil)
	var status snapshotInfo
	r.json(t, &status)
	if r.status != 200 || *status.Status != *saved.Status || status.SHA256 != saved.SHA256 {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
	r = e.call(t, "GET", "/api/v1/snapshots", e.admin, nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"first.db"`) {
		t.Fatalf("list: %d %s", r.status, r.body)
	}

	restore := map[string]any{"data_dir": "new-m0", "name": "new-m0", "initial_advertise_peer_urls": []string{"http://127.0.0.1:2380"}}
	r = e.call(t, "POST", "/api/v1/snapshots/first.db/restore", e.admin, restore)
	if r.status != 201 {
		t.Fatalf("restore: %d %s", r.status, r.body)
	}
	if _, err := os.Stat(filepath.Join(e.cfg.Maintenance.RestoreDir, "new-m0", "member", "snap", "db")); err != nil {
		t.Fatalf("restored data directory: %v", err)
	}

	cases := []struct {
		name, method, path string
		body               any
		status             int
		want               string
	}{
		{"restore into an existing directory", "POST", "/api/v1/snapshots/first.db/restore", restore, 409, "already exists"},
		{"restore into a path", "POST", "/api/v1/snapshots/first.db/restore", map[string]any{"data_dir": "../escape", "name": "x", "initial_advertise_peer_urls": []string{"http://127.0.0.1:2380"}}, 400, "data_dir"},
		{"snapshot name that is a path", "POST", "/api/v1/clusters/c1/snapshots", map[string]any{"name": "../../etc/passwd"}, 400, "name"},
		{"existing snapshot name", "POST", "/api/v1/clusters/c1/snapshots", map[string]any{"name": "first.db"}, 409, "already exists"},
		{"unknown member", "POST", "/api/v1/clusters/c1/snapshots", map[string]any{"member": "m9"}, 404, `no member "m9"`},
		{"unknown snapshot", "GET", "/api/v1/snapshots/nope.db", nil, 404, `no snapshot "nope.db"`},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			r := e.call(t, cs.method, cs.path, e.admin, cs.body)
			if r.status != cs.status || !strings.Contains(r.errorText(t), cs.want) {
				t.Fatalf("status %d body %s, want %d with %q", r.status, r.body, cs.status, cs.want)
			}
		})
	}
}

// fileDigest is the lower-case hex sha256 of a file's content.
func fileDigest(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
