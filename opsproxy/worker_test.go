package opsproxy

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/metricsdoc"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

// The worker refuses a configuration without a Redis queue, naming the field.
func TestWorkerRefusesConfigWithoutRedis(t *testing.T) {
	cfg, err := LoadConfig(writeConfig(t, t.TempDir(), clusterEntry("c1", etcdtest.Shared(t)), ""))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewWorker(context.Background(), cfg, 1, nil, Options{Store: openStore(t, boltStore)})
	if err == nil || !strings.HasPrefix(err.Error(), "queue.redis_url: required by etcd-monitor worker") {
		t.Fatalf("worker without redis_url: %v", err)
	}
}

// `etcd-monitor worker`, a real process sharing PostgreSQL and Redis with an opsproxy that only
// enqueues, takes the queued jobs (here one recorded without an enqueue, which its reconciler
// puts on the queue), serves /metrics and /-/healthy, and exits 0 on SIGTERM.
func TestWorkerProcessRunsQueuedJobsAndStopsOnSIGTERM(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "etcd-monitor")
	build := exec.Command("go", "build", "-o", bin, "../cmd/etcd-monitor")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	redis := redistest.Start(t, "w0rker-secret")
	dsn := storetest.PostgresDSN(t)
	schema := "opsproxy_worker_" + store.NewID()[:12]
	storetest.DropSchemaAtCleanup(t, dsn, schema)
	st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	queue := fmt.Sprintf("queue:\n  redis_url: %s\n  visibility_timeout: 2s\n  workers: 0\n", redis.URL())
	e := newEnv(t, envOptions{st: st, extra: queue})

	raw, err := os.ReadFile(e.configPath)
	if err != nil {
		t.Fatal(err)
	}
	workerCfg := filepath.Join(t.TempDir(), "worker.yml")
	yml := string(raw) + fmt.Sprintf("store:\n  dsn: %s\n  schema: %s\n", dsn, schema)
	if err := os.WriteFile(workerCfg, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var logs strings.Builder
	cmd := exec.Command(bin, "worker", "--config", workerCfg, "--workers", "1", "--web.listen-address", addr)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	eventually(t, "worker healthy", func() bool { code, _ := get("/-/healthy"); return code == http.StatusOK })

	// Without kinds of its own (jobKinds is empty until the built-in kinds land), the worker
	// fails a job of a kind it does not know, and records it: the record is the proof that
	// the separate process took the job from Redis.
	_, _, err = st.CreateJob(context.Background(), store.Job{ID: "unknown-kind-job", Kind: "nobody-runs-this", Cluster: "c1", RequestedBy: "carol"})
	if err != nil {
		t.Fatal(err)
	}
	var j store.Job
	deadline := time.Now().Add(60 * time.Second)
	for j.Status != store.JobFailed {
		if time.Now().After(deadline) {
			t.Fatalf("job not run by the worker process: %+v\n%s", j, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
		j, _ = st.Job(context.Background(), "unknown-kind-job")
	}
	if !strings.Contains(j.Error, `no handler for job kind "nobody-runs-this"`) || j.Worker == "" {
		t.Fatalf("job run by the worker: %+v", j)
	}
	code, metrics := get("/metrics")
	if code != http.StatusOK || !strings.Contains(metrics, "etcd_monitor_jobs_process_workers 1") ||
		!strings.Contains(metrics, "etcd_monitor_worker_build_info") {
		t.Fatalf("worker /metrics: %d\n%.2000s", code, metrics)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("worker exit after SIGTERM: %v\n%s", err, logs.String())
	}
	for _, out := range []string{logs.String(), metrics} {
		if strings.Contains(out, "w0rker-secret") {
			t.Fatal("the Redis password shows in the worker's output")
		}
	}
}

// The worker's metrics are those of docs/metrics.md's worker table.
func TestWorkerMetricsAreDocumented(t *testing.T) {
	redis := redistest.Start(t, "")
	cfg, err := LoadConfig(writeConfig(t, t.TempDir(), clusterEntry("c1", etcdtest.Shared(t)),
		fmt.Sprintf("queue:\n  redis_url: %s\n", redis.URL())))
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorker(context.Background(), cfg, 1, nil, Options{Store: openStore(t, boltStore), JobKinds: testJobKinds()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ts := httptest.NewServer(w.Handler())
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	metricsdoc.Check(t, "../docs/metrics.md", "worker-metrics", mfs)
}
