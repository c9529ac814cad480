package jobkinds

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/common/model"
	"github.com/redis/go-redis/v9"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
)

// The test binary turns into a worker process when workerEnv is set: the fault tests start
// such processes and kill them.
const (
	workerEnv          = "JOBKINDS_TEST_WORKER"
	workerEndpointsEnv = "JOBKINDS_TEST_ENDPOINTS"
	workerRedisEnv     = "JOBKINDS_TEST_REDIS"
	workerDSNEnv       = "JOBKINDS_TEST_DSN"
	workerSchemaEnv    = "JOBKINDS_TEST_SCHEMA"
	workerDirEnv       = "JOBKINDS_TEST_SNAPSHOT_DIR"
	workerSettleEnv    = "JOBKINDS_TEST_SETTLE"
	// workerAgentsEnv is the JSON of cluster prod's disk agents.
	workerAgentsEnv = "JOBKINDS_TEST_DISK_AGENTS"
)

// workerQueueOptions are the queue options of the worker processes and of the test that
// enqueues for them.
var workerQueueOptions = jobs.Options{VisibilityTimeout: time.Second, MaxAttempts: 5,
	Backoff: jobs.ExponentialBackoff(50*time.Millisecond, time.Second)}

// runWorkerProcess is a worker as `etcd-monitor worker` makes one: the cluster's connection
// from its configuration, the store in PostgreSQL, the queue in Redis, a Runner of the kinds,
// until SIGTERM.
func runWorkerProcess() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fail := func(err error) int { log.Error("worker", "err", err); return 1 }
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	cfg := clusterconfig.Cluster{Name: "prod", Endpoints: strings.Split(os.Getenv(workerEndpointsEnv), ","),
		DialTimeout: model.Duration(5 * time.Second), RequestTimeout: model.Duration(5 * time.Second)}
	conn, err := conns.New(cfg, config.DefaultConfig().Limits, log)
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	st, err := postgres.Open(ctx, os.Getenv(workerDSNEnv), postgres.Options{Schema: os.Getenv(workerSchemaEnv)})
	if err != nil {
		return fail(fmt.Errorf("store: %w", err))
	}
	defer st.Close()
	rc := redis.NewClient(&redis.Options{Addr: os.Getenv(workerRedisEnv), MaxRetries: 1, DialTimeout: time.Second})
	defer rc.Close()
	q := jobs.NewRedisQueue(rc, "faults", jobs.RedisOptions{Options: workerQueueOptions, Poll: 50 * time.Millisecond})
	r := jobs.NewRunner(q, st, jobs.RunnerOptions{Workers: 1, Heartbeat: 100 * time.Millisecond, Logger: log})
	settle, _ := time.ParseDuration(os.Getenv(workerSettleEnv))
	var agents []clusterconfig.DiskAgent
	if raw := os.Getenv(workerAgentsEnv); raw != "" {
		if err := json.Unmarshal([]byte(raw), &agents); err != nil {
			return fail(fmt.Errorf("disk agents: %w", err))
		}
	}
	r.HandleKinds(Kinds(Deps{Cluster: StaticClusters(map[string]*conns.Conn{"prod": conn}), Settle: settle,
		SnapshotDir: os.Getenv(workerDirEnv), HealthTimeout: 5 * time.Second, DefragTimeout: time.Minute, Logger: log,
		Results: st, DiskAgents: func(string) []clusterconfig.DiskAgent { return agents }}))
	log.Info("worker running")
	_ = r.Run(ctx)
	return 0
}
