package jobkinds

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
)

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	backup.RunDrillMemberIfRequested()
	if os.Getenv(workerEnv) != "" {
		os.Exit(runWorkerProcess())
	}
	os.Exit(m.Run())
}

// testCluster is a real 3-member etcd cluster and opsproxy's connection to it, as cluster "prod".
type testCluster struct {
	*etcdtest.Cluster
	conn *conns.Conn
	cli  *clientv3.Client
}

func startCluster(t *testing.T, processPerMember bool) *testCluster {
	t.Helper()
	ec := etcdtest.New(t, etcdtest.Config{Size: 3, ProcessPerMember: processPerMember})
	return &testCluster{Cluster: ec, conn: connect(t, ec.Endpoints()), cli: ec.Client(t)}
}

func connect(t testing.TB, endpoints []string) *conns.Conn {
	cfg := clusterconfig.Cluster{Name: "prod", Endpoints: endpoints,
		DialTimeout: model.Duration(5 * time.Second), RequestTimeout: model.Duration(5 * time.Second)}
	conn, err := conns.New(cfg, config.DefaultConfig().Limits, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func (c *testCluster) deps(t *testing.T) Deps {
	return Deps{Cluster: StaticClusters(map[string]*conns.Conn{"prod": c.conn}), SnapshotDir: t.TempDir(),
		HealthTimeout: 5 * time.Second, DefragTimeout: time.Minute}
}

// fragment writes n values of 64 KiB, deletes them and compacts, so that every member's
// database file is mostly free pages.
func (c *testCluster) fragment(t testing.TB, n int) {
	t.Helper()
	ctx := context.Background()
	val := strings.Repeat("x", 64<<10)
	prefix := "/fragment/" + store.NewID()[:8] + "/"
	for i := range n {
		if _, err := c.cli.Put(ctx, fmt.Sprintf("%s%04d", prefix, i), val); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := c.cli.Delete(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.cli.Compact(ctx, resp.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}
	// bbolt counts freed pages as free only from a later commit: small writes make commits.
	eventually(t, "the members' databases mostly free", func() bool {
		if _, err := c.cli.Put(ctx, prefix+"commit", "x"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		for _, m := range c.Members {
			st, err := c.cli.Status(ctx, m.ClientURL)
			if err != nil || st.DbSize-st.DbSizeInUse <= st.DbSize/2 {
				return false
			}
		}
		return true
	})
}

// leaderName is the name of the member every member agrees leads.
func (c *testCluster) leaderName(t *testing.T) string {
	return c.Members[c.Leader(t)].Name
}

// defragCount is how many defragmentations the member at endpoint's process has run, from
// etcd's own etcd_disk_backend_defrag_duration_seconds (members in this process share one
// registry: then it counts the whole cluster's).
func defragCount(t testing.TB, endpoint string) int {
	t.Helper()
	resp, err := http.Get(endpoint + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, "etcd_disk_backend_defrag_duration_seconds_count "); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("metric line %q: %v", line, err)
			}
			return int(n)
		}
	}
	return 0
}

func openStore(t testing.TB) store.Store {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "store.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// queueKinds are the queues the kinds run on: in-process, and the test Redis (127.0.0.1:6379
// or ETCD_MONITOR_TEST_REDIS_ADDR) under a key prefix of the test's own.
var queueKinds = []struct {
	name string
	new  func(t *testing.T, opts jobs.Options) jobs.Queue
}{
	{"InProcess", func(t *testing.T, opts jobs.Options) jobs.Queue {
		q := jobs.NewMemQueue("test", opts)
		t.Cleanup(func() { _ = q.Close() })
		return q
	}},
	{"Redis", func(t *testing.T, opts jobs.Options) jobs.Queue {
		c, prefix := redistest.Shared(t)
		return jobs.NewRedisQueue(c, "test", jobs.RedisOptions{Options: opts, Prefix: prefix, Poll: 50 * time.Millisecond})
	}},
}

func forEachQueue(t *testing.T, fn func(t *testing.T, newQueue func(*testing.T, jobs.Options) jobs.Queue)) {
	for _, k := range queueKinds {
		t.Run(k.name, func(t *testing.T) { fn(t, k.new) })
	}
}

func runnerOpts() jobs.RunnerOptions {
	return jobs.RunnerOptions{Workers: 2, Heartbeat: 50 * time.Millisecond, LimitRetry: 20 * time.Millisecond,
		ShutdownGrace: 100 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
}

// startRunner runs a runner of the kinds until the test ends.
func startRunner(t *testing.T, q jobs.Queue, st store.JobStore, opts jobs.RunnerOptions, d Deps) {
	r := jobs.NewRunner(q, st, opts)
	r.HandleKinds(Kinds(d))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = r.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
}

func submit(t *testing.T, st store.JobStore, q jobs.Queue, kind string, params string) store.Job {
	t.Helper()
	j, err := jobs.Submit(context.Background(), st, q, store.Job{Kind: kind, Cluster: "prod", Parameters: json.RawMessage(params), RequestedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// eventually polls cond until it holds, failing the test after a generous deadline.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func record(t testing.TB, st store.JobStore, id string) store.Job {
	t.Helper()
	j, err := st.Job(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func waitFinal(t testing.TB, st store.JobStore, id string) store.Job {
	t.Helper()
	var j store.Job
	eventually(t, "job "+id+" to finish", func() bool { j = record(t, st, id); return j.Status.Final() })
	return j
}

func decodeDefrag(t testing.TB, raw json.RawMessage) defragProgress {
	t.Helper()
	var p defragProgress
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("defragmentation progress %s: %v", raw, err)
	}
	return p
}

// states lists each member's name and state, in the order of the plan.
func states(p defragProgress) string {
	var out []string
	for _, m := range p.Members {
		out = append(out, m.Name+"="+m.State)
	}
	return strings.Join(out, " ")
}
