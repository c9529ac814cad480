package jobkinds

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/diskagent/agenttest"
)

// kill -9 of a worker process after the first member's disk test is stored, while the second
// member's runs: the second worker takes the job over, keeps the first member's result and
// probes the second member only, so the store holds one result per member.
func TestDisktestTakenOverAfterAWorkerIsKilledKeepsTheMembersDone(t *testing.T) {
	c := startBenchCluster(t)
	a0 := agenttest.Start(t, agenttest.Options{Member: "infra0"})
	a1 := agenttest.Start(t, agenttest.Options{Member: "infra1"})
	agents, _ := json.Marshal([]clusterconfig.DiskAgent{a0.Entry, a1.Entry})
	srv := redistest.Start(t, "")
	dsn, schema := storetest.PostgresDSN(t), "jobkinds_test_"+store.NewID()[:12]
	storetest.DropSchemaAtCleanup(t, dsn, schema)
	st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	q := jobs.NewRedisQueue(srv.Client(), "faults", jobs.RedisOptions{Options: workerQueueOptions, Poll: 50 * time.Millisecond})
	env := []string{workerEnv + "=1", workerEndpointsEnv + "=" + strings.Join(c.Endpoints(), ","), workerRedisEnv + "=" + srv.Addr,
		workerDSNEnv + "=" + dsn, workerSchemaEnv + "=" + schema, workerDirEnv + "=" + t.TempDir(), workerAgentsEnv + "=" + string(agents)}

	first := startWorker(t, "first", env)
	j := submit(t, st, q, KindDiskTest, `{"profile":"agent","block_size":2300,"size":230000,"duration":"2s"}`)
	var atKill disktestProgress
	eventually(t, "infra0 stored and infra1 probing", func() bool {
		raw := record(t, st, j.ID).Progress
		return json.Unmarshal(raw, &atKill) == nil && len(atKill.Results) == 1 && atKill.Member == "infra1" && len(a1.Entries(t)) > 0
	})
	first.kill(t)
	// The killed worker's connection is gone: the agent stops the probe and removes it.
	eventually(t, "infra1's orphaned probe removed", func() bool { return len(a1.Entries(t)) == 0 })

	startWorker(t, "second", env)
	got := waitFinal(t, st, j.ID)
	if got.Status != store.JobSucceeded || got.Attempts != 2 {
		t.Fatalf("job: %s after %d attempts: %q", got.Status, got.Attempts, got.Error)
	}
	out := decodeDiskResult(t, got.Result)
	if len(out.Members) != 2 || out.Members[0] != atKill.Results[0] || out.Members[1].Member != "infra1" {
		t.Fatalf("result %s; infra0 was stored as %+v before the kill", got.Result, atKill.Results[0])
	}
	all, err := st.ListResults(context.Background(), store.ResultFilter{Kind: store.KindDiskTest})
	if err != nil || len(all) != 2 {
		t.Fatalf("%d results stored (%v), want one per member", len(all), err)
	}
}
