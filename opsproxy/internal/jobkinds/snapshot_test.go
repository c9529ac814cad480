package jobkinds

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// watchSnapshotNames records, until stop, every size seen of a file in dir under a snapshot's
// name: a snapshot that appears atomically is only ever seen whole.
func watchSnapshotNames(dir string) (stop func() map[string][]int64) {
	seen := map[string][]int64{}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && snapshotfile.ValidName(e.Name()) {
					seen[e.Name()] = append(seen[e.Name()], fi.Size())
				}
			}
			time.Sleep(time.Millisecond)
		}
	})
	return func() map[string][]int64 { close(done); wg.Wait(); return seen }
}

func TestSnapshotJobSavesAFileAtomicallyWithItsHashAndStatus(t *testing.T) {
	c := startCluster(t, false)
	forEachQueue(t, func(t *testing.T, newQueue func(*testing.T, jobs.Options) jobs.Queue) {
		st, q := openStore(t), newQueue(t, jobs.Options{})
		d := c.deps(t)
		startRunner(t, q, st, runnerOpts(), d)
		ctx := context.Background()
		for i := range 100 {
			if _, err := c.cli.Put(ctx, fmt.Sprintf("/snap/%03d", i), strings.Repeat("v", 1000)); err != nil {
				t.Fatal(err)
			}
		}
		rev, err := c.cli.Get(ctx, "/snap/000")
		if err != nil {
			t.Fatal(err)
		}
		stop := watchSnapshotNames(d.SnapshotDir)
		j := submit(t, st, q, KindSnapshot, `{}`)
		got := waitFinal(t, st, j.ID)
		seen := stop()
		if got.Status != store.JobSucceeded {
			t.Fatalf("job: %+v", got)
		}
		var info snapshotfile.Info
		if err := json.Unmarshal(got.Result, &info); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(d.SnapshotDir, info.Name)
		sum, err := snapshotfile.SHA256Of(path)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		leader := c.leaderName(t)
		switch {
		case info.SHA256 != sum || info.Size != fi.Size():
			t.Fatalf("result says %d bytes sha256 %s; the file has %d bytes sha256 %s", info.Size, info.SHA256, fi.Size(), sum)
		case info.Cluster != "prod" || info.Member == "" || info.Member == leader:
			t.Fatalf("saved from %q of %q, want a follower of prod (leader %s)", info.Member, info.Cluster, leader)
		case !strings.HasPrefix(info.Name, "prod-"+info.Member+"-"):
			t.Fatalf("name %q", info.Name)
		case info.Status == nil || info.Status.Revision < rev.Header.Revision || info.Status.TotalKeys < 100:
			t.Fatalf("status %+v, want revision >= %d and >= 100 keys", info.Status, rev.Header.Revision)
		}
		for name, sizes := range seen {
			for _, s := range sizes {
				if name != info.Name || s != info.Size {
					t.Fatalf("seen %s with %d bytes during the save; only %s with %d bytes may appear", name, s, info.Name, info.Size)
				}
			}
		}
		meta, err := snapshotfile.ReadMeta(d.SnapshotDir, info.Name)
		if err != nil || meta.Cluster != "prod" || meta.Job != j.ID || meta.SHA256 != sum {
			t.Fatalf("metadata %+v, %v", meta, err)
		}
		var p snapshotProgress
		if err := json.Unmarshal(got.Progress, &p); err != nil || p.BytesWritten != info.Size || p.Name != info.Name {
			t.Fatalf("progress %s, want %d bytes written", got.Progress, info.Size)
		}
		// etcd's own restore takes it, as opsproxy's restore endpoint does.
		err = snapshot.NewV3(zap.NewNop()).Restore(snapshot.RestoreConfig{SnapshotPath: path, Name: "r0",
			OutputDataDir: filepath.Join(t.TempDir(), "r0"), PeerURLs: []string{"http://127.0.0.1:1"},
			InitialCluster: "r0=http://127.0.0.1:1", InitialClusterToken: "t"})
		if err != nil {
			t.Fatalf("restore: %v", err)
		}
	})
}

// A snapshot job whose context ends while it streams leaves no file behind: neither under its
// name nor a temporary one.
func TestSnapshotJobCancelledMidStreamLeavesNoFile(t *testing.T) {
	c := startCluster(t, false)
	ctx := context.Background()
	val := strings.Repeat("v", 64<<10)
	for i := range 400 {
		if _, err := c.cli.Put(ctx, fmt.Sprintf("/big/%04d", i), val); err != nil {
			t.Fatal(err)
		}
	}
	d := c.deps(t)
	handler := Kinds(d)[1].Handler
	for try := range 5 {
		jctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { // cancel once streaming has begun
			defer cancel()
			for jctx.Err() == nil {
				entries, _ := os.ReadDir(d.SnapshotDir)
				for _, e := range entries {
					if fi, err := e.Info(); err == nil && strings.HasPrefix(e.Name(), ".part-") && fi.Size() > 0 {
						return
					}
				}
				time.Sleep(100 * time.Microsecond)
			}
		})
		run := &jobs.Run{Job: store.Job{ID: store.NewID(), Kind: KindSnapshot, Cluster: "prod",
			Parameters: json.RawMessage(fmt.Sprintf(`{"name": "cancelled-%d.db"}`, try))}}
		res, err := handler(jctx, run)
		cancel()
		wg.Wait()
		entries, _ := os.ReadDir(d.SnapshotDir)
		for _, e := range entries {
			if !e.IsDir() {
				if err == nil {
					t.Logf("try %d: the save finished before the cancel (%s); again", try, res)
					os.Remove(filepath.Join(d.SnapshotDir, e.Name()))
					continue
				}
				t.Fatalf("after a cancelled save (%v), %s is left", err, e.Name())
			}
		}
		if err != nil {
			if !strings.Contains(err.Error(), "context canceled") {
				t.Fatalf("cancelled save: %v", err)
			}
			return
		}
	}
	t.Fatal("every save finished before it could be cancelled")
}

func TestSnapshotParametersAreCheckedNamingTheField(t *testing.T) {
	validate := Kinds(Deps{})[1].Validate
	for _, tc := range []struct{ params, want string }{
		{`{"name": "../etc/passwd"}`, `name "../etc/passwd": want letters`},
		{`{"name": ".hidden"}`, `name ".hidden"`},
		{`{"member": 3}`, `member: want string, got number`},
		{`{"path": "/tmp/x"}`, `path: unknown parameter`},
	} {
		if err := validate([]byte(tc.params)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.params, err, tc.want)
		}
	}
}

// The cluster going away fails each kind's job (on its last attempt, then dead-lettered with
// its error) naming the cluster; a cluster that is not configured is named; no file is left.
func TestKindsFailClearlyWithoutTheirCluster(t *testing.T) {
	c := startCluster(t, false)
	d := c.deps(t)
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{MaxAttempts: 1})
	t.Cleanup(func() { _ = q.Close() })
	d.HealthTimeout = time.Second
	startRunner(t, q, st, runnerOpts(), d)
	for _, m := range c.Members {
		m.Stop(t)
	}
	for _, kind := range []string{KindDefragment, KindSnapshot} {
		got := waitFinal(t, st, submit(t, st, q, kind, `{}`).ID)
		if got.Status != store.JobFailed || !strings.Contains(got.Error, "unhealthy") {
			t.Fatalf("%s with the cluster down: %s %q", kind, got.Status, got.Error)
		}
		j, err := jobs.Submit(context.Background(), st, q, store.Job{Kind: kind, Cluster: "elsewhere"})
		if err != nil {
			t.Fatal(err)
		}
		if got := waitFinal(t, st, j.ID); got.Status != store.JobFailed || got.Error != `cluster "elsewhere" is not configured` {
			t.Fatalf("%s of an unknown cluster: %s %q", kind, got.Status, got.Error)
		}
	}
	if entries, _ := os.ReadDir(d.SnapshotDir); len(entries) != 0 {
		t.Fatalf("files left: %v", entries)
	}
	// Each failed job is a dead letter holding its last error.
	var dl []jobs.DeadLetter
	eventually(t, "four dead letters", func() bool { dl, _ = q.DeadLetters(context.Background(), 10); return len(dl) == 4 })
	for _, l := range dl {
		if rec := record(t, st, l.JobID); l.LastError != rec.Error || l.Attempts != 1 {
			t.Fatalf("dead letter %+v, record error %q", l, rec.Error)
		}
	}
}
