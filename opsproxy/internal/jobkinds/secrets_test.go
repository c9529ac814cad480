package jobkinds

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/logtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
)

// etcd refusing the configured password fails each kind's job with the reason, and the
// password appears neither in the record (error, progress, result) nor in the logs.
func TestJobsRefusedByEtcdNeverCarryThePassword(t *testing.T) {
	ec := etcdtest.New(t, etcdtest.Config{Size: 1, Auth: true})
	const password = "hunter2-not-the-root-password"
	logs := &logtest.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	conn, err := conns.New(clusterconfig.Cluster{Name: "prod", Endpoints: ec.Endpoints(), Username: "root", Password: password,
		DialTimeout: model.Duration(5 * time.Second), RequestTimeout: model.Duration(5 * time.Second)}, config.DefaultConfig().Limits, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{MaxAttempts: 1})
	t.Cleanup(func() { _ = q.Close() })
	opts := runnerOpts()
	opts.Logger = log
	startRunner(t, q, st, opts, Deps{Cluster: StaticClusters(map[string]*conns.Conn{"prod": conn}), SnapshotDir: t.TempDir(),
		HealthTimeout: 5 * time.Second, Logger: log, Results: st})
	params := map[string]string{KindDefragment: `{}`, KindSnapshot: `{}`, KindBenchmark: `{"command":"put","flags":{"total":"10"}}`}
	for _, kind := range []string{KindDefragment, KindSnapshot, KindBenchmark} {
		got := waitFinal(t, st, submit(t, st, q, kind, params[kind]).ID)
		if got.Status != store.JobFailed || got.Error == "" {
			t.Fatalf("%s with a wrong password: %s %q", kind, got.Status, got.Error)
		}
		for what, text := range map[string]string{"error": got.Error, "progress": string(got.Progress), "result": string(got.Result)} {
			if strings.Contains(text, password) {
				t.Fatalf("%s's %s holds the password: %s", kind, what, text)
			}
		}
		t.Logf("%s: %s", kind, got.Error)
	}
	if strings.Contains(logs.String(), password) {
		t.Fatalf("the logs hold the password:\n%s", logs.String())
	}
}

// A benchmark of a cluster with authentication runs with the configured credentials; its
// stored report, parameters, job record and the logs never hold the password.
func TestBenchmarkWithAuthKeepsThePasswordOut(t *testing.T) {
	ec := etcdtest.New(t, etcdtest.Config{Size: 1, Auth: true})
	logs := &logtest.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	conn, err := conns.New(clusterconfig.Cluster{Name: "prod", Endpoints: ec.Endpoints(), Username: "root", Password: promconfig.Secret(ec.RootPassword),
		DialTimeout: model.Duration(5 * time.Second), RequestTimeout: model.Duration(5 * time.Second)}, config.DefaultConfig().Limits, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{MaxAttempts: 1})
	t.Cleanup(func() { _ = q.Close() })
	opts := runnerOpts()
	opts.Logger = log
	startRunner(t, q, st, opts, Deps{Cluster: StaticClusters(map[string]*conns.Conn{"prod": conn}), HealthTimeout: 5 * time.Second, Logger: log, Results: st})
	got := waitFinal(t, st, submit(t, st, q, KindBenchmark, `{"command":"put","flags":{"total":"50"}}`).ID)
	if got.Status != store.JobSucceeded {
		t.Fatalf("benchmark with the right password: %s %q", got.Status, got.Error)
	}
	results, err := st.ListResults(context.Background(), store.ResultFilter{Kind: store.KindBenchmark})
	if err != nil || len(results) != 1 {
		t.Fatalf("results %d, %v", len(results), err)
	}
	for what, text := range map[string]string{"job": string(got.Progress) + string(got.Result), "parameters": string(results[0].Parameters),
		"figures": string(results[0].Figures), "logs": logs.String()} {
		if strings.Contains(text, ec.RootPassword) {
			t.Fatalf("the %s hold the password", what)
		}
	}
}
