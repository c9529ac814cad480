package jobkinds

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

// workerProcess is this test binary run as a worker (see runWorkerProcess).
type workerProcess struct {
	cmd *exec.Cmd
	log string
}

func startWorker(t *testing.T, name string, env []string) *workerProcess {
	t.Helper()
	log := filepath.Join(t.TempDir(), name+".log")
	out, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	w := &workerProcess{cmd: cmd, log: log}
	t.Cleanup(func() {
		if w.cmd.ProcessState == nil {
			_ = w.cmd.Process.Kill()
			_ = w.cmd.Wait()
		}
		if t.Failed() {
			raw, _ := os.ReadFile(log)
			t.Logf("worker %s log:\n%s", name, raw)
		}
	})
	return w
}

// kill ends the worker with SIGKILL: no handing back, no last word to the store or the queue.
func (w *workerProcess) kill(t *testing.T) {
	if err := w.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = w.cmd.Wait()
}

// kill -9 of a worker process in the middle of a defragmentation: a second worker process
// takes the job over once the lease expires; the record holds one result, and etcd (each
// member in a process of its own, counting its own defragmentations) ran exactly one
// defragmentation per member: the member done before the kill is not redone, the one running
// at the kill is waited for, not defragmented a second time.
func TestWorkerKilledMidDefragmentationIsTakenOverWithoutDefragmentingAMemberTwice(t *testing.T) {
	for _, tc := range []struct {
		name string
		// killAt is the state of a member that the kill waits for.
		killAt string
		// settle is the workers' pause between members: the window of a kill between steps.
		settle time.Duration
	}{
		{"WhileAMemberRuns", stateRunning, 0},
		{"BetweenMembers", stateDone, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) { testWorkerKilled(t, tc.killAt, tc.settle) })
	}
}

func testWorkerKilled(t *testing.T, killAt string, settle time.Duration) {
	c := startCluster(t, true)
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
		workerDSNEnv + "=" + dsn, workerSchemaEnv + "=" + schema, workerDirEnv + "=" + t.TempDir(), workerSettleEnv + "=" + settle.String()}

	c.fragment(t, 128)
	before := map[string]int{}
	for _, m := range c.Members {
		before[m.Name] = defragCount(t, m.ClientURL)
	}
	first := startWorker(t, "first", env)
	j := submit(t, st, q, KindDefragment, `{}`)
	var atKill defragProgress
	eventually(t, "a member "+killAt, func() bool {
		raw := record(t, st, j.ID).Progress
		if len(raw) == 0 {
			return false
		}
		atKill = decodeDefrag(t, raw)
		for _, m := range atKill.Members {
			if m.State == killAt {
				return true
			}
		}
		return false
	})
	first.kill(t)
	if raw := record(t, st, j.ID).Progress; len(raw) > 0 {
		atKill = decodeDefrag(t, raw)
	}
	t.Logf("killed the first worker at %s", states(atKill))

	startWorker(t, "second", env)
	got := waitFinal(t, st, j.ID)
	if got.Status != store.JobSucceeded || got.Attempts != 2 {
		t.Fatalf("job: %s after %d attempts: %q", got.Status, got.Attempts, got.Error)
	}
	res := decodeDefrag(t, got.Result)
	if res.Fence != got.Fence || len(res.Members) != len(atKill.Members) {
		t.Fatalf("result %s under fence %d; record fence %d", states(res), res.Fence, got.Fence)
	}
	for i, m := range res.Members {
		if atKill.Members[i].State == stateRunning {
			t.Logf("member %s, running at the kill: %s", m.Name, m.Reason)
		}
		if m.State != stateDone {
			t.Fatalf("member %s: %+v, want done", m.Name, m)
		}
		if atKill.Members[i].State == stateDone && m.Fence != atKill.Members[i].Fence {
			t.Fatalf("member %s was done before the kill under fence %d, now recorded under %d", m.Name, atKill.Members[i].Fence, m.Fence)
		}
	}
	for _, m := range c.Members {
		if n := defragCount(t, m.ClientURL) - before[m.Name]; n != 1 {
			t.Fatalf("member %s was defragmented %d times, want once", m.Name, n)
		}
	}
}

// Redis stopped in the middle of a defragmentation (and started again empty, as without
// persistence): the runner that was running it reconnects without a restart, the job is
// finished once without defragmenting a member twice, and new jobs drain.
func TestRedisStoppedMidDefragmentationTheRunnerReconnectsAndDrains(t *testing.T) {
	c := startCluster(t, false)
	srv := redistest.Start(t, "")
	st := openStore(t)
	q := jobs.NewRedisQueue(srv.Client(), "restart", jobs.RedisOptions{Options: jobs.Options{VisibilityTimeout: 500 * time.Millisecond},
		Poll: 50 * time.Millisecond})
	opts := runnerOpts()
	opts.ReconcileInterval = 200 * time.Millisecond
	opts.Reconcile.StaleAfter = time.Second
	d := c.deps(t)
	d.Settle = 2 * time.Second
	startRunner(t, q, st, opts, d)
	c.fragment(t, 32)
	before := defragCount(t, c.Members[0].ClientURL)
	j := submit(t, st, q, KindDefragment, `{"rule": "dbSize > 0"}`)
	eventually(t, "the first member done", func() bool { return firstMemberDone(t, record(t, st, j.ID).Progress) })
	srv.Stop()
	time.Sleep(300 * time.Millisecond) // several heartbeats fail meanwhile
	srv.Restart()
	snap := submit(t, st, q, KindSnapshot, `{}`)
	got := waitFinal(t, st, j.ID)
	if got.Status != store.JobSucceeded {
		t.Fatalf("defragmentation: %s %q", got.Status, got.Error)
	}
	if p := decodeDefrag(t, got.Result); strings.Count(states(p), "=done") != 3 {
		t.Fatalf("result: %s", states(p))
	}
	if n := defragCount(t, c.Members[0].ClientURL) - before; n != 3 {
		t.Fatalf("etcd counted %d defragmentations, want 3 (one per member)", n)
	}
	if got := waitFinal(t, st, snap.ID); got.Status != store.JobSucceeded {
		t.Fatalf("snapshot enqueued after the restart: %s %q", got.Status, got.Error)
	}
}
