package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

// queueKinds are the Queue implementations the runner is tested with.
var queueKinds = []struct {
	name string
	new  newQueueFunc
}{
	{"InProcess", func(t *testing.T, opts jobs.Options) jobs.Queue {
		q := jobs.NewMemQueue("test", opts)
		t.Cleanup(func() { _ = q.Close() })
		return q
	}},
	{"Redis", newRedisQueue},
}

func forEachQueue(t *testing.T, fn func(t *testing.T, newQueue newQueueFunc)) {
	for _, k := range queueKinds {
		t.Run(k.name, func(t *testing.T) { fn(t, k.new) })
	}
}

// storeKinds are the history stores the runner is tested with where the
// store's part matters (fencing); elsewhere bbolt is enough.
var storeKinds = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"Bolt", func(t *testing.T) store.Store { return openStore(t) }},
	{"PostgreSQL", func(t *testing.T) store.Store {
		dsn, schema := storetest.PostgresDSN(t), "jobs_test_"+store.NewID()[:12]
		storetest.DropSchemaAtCleanup(t, dsn, schema)
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}},
}

func openStore(t testing.TB) store.Store {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "store.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// startRunner runs r until the test ends (or stop is called) and returns stop,
// which waits for Run to return.
func startRunner(t *testing.T, r *jobs.Runner) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = r.Run(ctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	t.Cleanup(stop)
	return stop
}

// eventually polls cond until it holds, failing the test after a generous deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func jobStatus(t *testing.T, st store.Store, id string) store.Job {
	t.Helper()
	j, err := st.Job(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func waitFinal(t *testing.T, st store.Store, id string) store.Job {
	t.Helper()
	var j store.Job
	eventually(t, "job "+id+" to finish", func() bool { j = jobStatus(t, st, id); return j.Status.Final() })
	return j
}

func runnerOpts(t *testing.T) jobs.RunnerOptions {
	return jobs.RunnerOptions{Workers: 2, Heartbeat: 50 * time.Millisecond, LimitRetry: 20 * time.Millisecond,
		ShutdownGrace: 100 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
}

func submit(t *testing.T, st store.Store, q jobs.Queue, j store.Job) store.Job {
	t.Helper()
	if j.Cluster == "" {
		j.Cluster = "prod"
	}
	job, err := jobs.Submit(context.Background(), st, q, j)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func TestRunnerRunsAJobOnceAndRecordsItsResult(t *testing.T) {
	forEachQueue(t, func(t *testing.T, newQueue newQueueFunc) {
		st, q := openStore(t), newQueue(t, jobs.Options{})
		r := jobs.NewRunner(q, st, runnerOpts(t))
		var calls atomic.Int32
		r.Handle("echo", func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
			calls.Add(1)
			run.Progress(json.RawMessage(`{"step":1}`))
			return run.Job.Parameters, nil
		}, jobs.HandleOptions{})
		startRunner(t, r)
		first := submit(t, st, q, store.Job{Kind: "echo", IdempotencyKey: "once", Parameters: json.RawMessage(`{"x":1}`)})
		second := submit(t, st, q, store.Job{Kind: "echo", IdempotencyKey: "once", Parameters: json.RawMessage(`{"x":2}`)})
		if second.ID != first.ID {
			t.Fatalf("same idempotency key: jobs %s and %s", first.ID, second.ID)
		}
		j := waitFinal(t, st, first.ID)
		if j.Status != store.JobSucceeded || string(j.Result) != `{"x":1}` || string(j.Progress) != `{"step":1}` || j.Attempts != 1 {
			t.Fatalf("record: %+v", j)
		}
		again := submit(t, st, q, store.Job{Kind: "echo", IdempotencyKey: "once"})
		if again.ID != first.ID || again.Status != store.JobSucceeded {
			t.Fatalf("key after the end: %+v", again)
		}
		time.Sleep(200 * time.Millisecond) // a second run would show up here
		if n := calls.Load(); n != 1 {
			t.Fatalf("handler ran %d times, want 1", n)
		}
	})
}

// Replicas with an in-process queue each and one store both enqueue a
// scheduled job (each scheduler, or reconciler, sees it queued). The replica
// that claims it second finds a live worker's heartbeat and hands its copy
// back until the job has finished: the job runs once, in one attempt, and
// both queues end empty.
func TestRunnerRunsAJobEnqueuedOnTwoReplicasQueuesOnce(t *testing.T) {
	for _, sk := range storeKinds {
		t.Run(sk.name, func(t *testing.T) {
			st := sk.open(t)
			var calls atomic.Int32
			release := make(chan struct{})
			queues := make([]*jobs.MemQueue, 2)
			for i := range queues {
				queues[i] = jobs.NewMemQueue(fmt.Sprintf("replica%d", i), jobs.Options{VisibilityTimeout: time.Second})
				t.Cleanup(func() { _ = queues[i].Close() })
				r := jobs.NewRunner(queues[i], st, runnerOpts(t))
				r.Handle("backup", func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
					calls.Add(1)
					select {
					case <-release:
					case <-ctx.Done():
						return nil, ctx.Err()
					}
					return json.RawMessage(`{}`), nil
				}, jobs.HandleOptions{})
				startRunner(t, r)
			}
			j := submit(t, st, queues[0], store.Job{Kind: "backup", IdempotencyKey: "schedule/b/1"})
			if again := submit(t, st, queues[1], store.Job{Kind: "backup", IdempotencyKey: "schedule/b/1"}); again.ID != j.ID {
				t.Fatalf("same slot, jobs %s and %s", j.ID, again.ID)
			}
			eventually(t, "the job to start", func() bool { return calls.Load() == 1 })
			// Both replicas' workers keep receiving: the second copy is offered and handed back many times.
			time.Sleep(200 * time.Millisecond)
			close(release)
			got := waitFinal(t, st, j.ID)
			eventually(t, "both queues to drain", func() bool { return queues[0].Len() == 0 && queues[1].Len() == 0 })
			if got.Status != store.JobSucceeded || got.Attempts != 1 || calls.Load() != 1 {
				t.Fatalf("record %+v after %d runs, want one run in one attempt", got, calls.Load())
			}
		})
	}
}

// A worker that dies mid-job (it stops heartbeating and never acks) loses
// the job to another after the visibility timeout; the dead one's late
// finish is refused and the record holds one result.
func TestRunnerTakesOverTheJobOfAWorkerThatStopped(t *testing.T) {
	for _, sk := range storeKinds {
		t.Run(sk.name, func(t *testing.T) { testTakeover(t, sk.open) })
	}
}

func testTakeover(t *testing.T, openStore func(t *testing.T) store.Store) {
	forEachQueue(t, func(t *testing.T, newQueue newQueueFunc) {
		st, q := openStore(t), newQueue(t, jobs.Options{VisibilityTimeout: 500 * time.Millisecond})
		c := context.Background()
		j := submit(t, st, q, store.Job{Kind: "work"})
		// The worker that will die: receives, claims, then stops.
		m, err := q.Receive(c, "doomed")
		if err != nil {
			t.Fatal(err)
		}
		doomed, err := st.ClaimJob(c, j.ID, "doomed", time.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		r := jobs.NewRunner(q, st, runnerOpts(t))
		r.Handle("work", func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
			return json.RawMessage(fmt.Sprintf(`{"by":%q}`, run.Job.Worker)), nil
		}, jobs.HandleOptions{})
		startRunner(t, r)
		got := waitFinal(t, st, j.ID)
		if got.Status != store.JobSucceeded || got.Attempts != 2 || got.Fence <= doomed.Fence || got.Worker == "doomed" {
			t.Fatalf("after takeover: %+v", got)
		}
		// The doomed worker wakes up and tries to finish.
		if _, err := st.FinishJob(c, j.ID, doomed.Fence, store.JobOutcome{Status: store.JobFailed, Error: "late"}); !errors.Is(err, store.ErrFenced) {
			t.Fatalf("late finish: %v, want ErrFenced", err)
		}
		if err := q.Ack(c, m); !errors.Is(err, jobs.ErrLeaseLost) {
			t.Fatalf("late ack: %v, want ErrLeaseLost", err)
		}
		final := jobStatus(t, st, j.ID)
		if final.Status != store.JobSucceeded || string(final.Result) != string(got.Result) || final.Error != "" {
			t.Fatalf("record after the late finish: %+v", final)
		}
	})
}

func TestRunnerDeadLettersAJobThatAlwaysFails(t *testing.T) {
	forEachQueue(t, func(t *testing.T, newQueue newQueueFunc) {
		st, q := openStore(t), newQueue(t, jobs.Options{MaxAttempts: 3, Backoff: jobs.ExponentialBackoff(10*time.Millisecond, 40*time.Millisecond)})
		r := jobs.NewRunner(q, st, runnerOpts(t))
		var calls atomic.Int32
		r.Handle("fail", func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
			return nil, fmt.Errorf("disk full (attempt %d)", calls.Add(1))
		}, jobs.HandleOptions{})
		startRunner(t, r)
		j := submit(t, st, q, store.Job{Kind: "fail"})
		got := waitFinal(t, st, j.ID)
		if got.Status != store.JobFailed || got.Error != "disk full (attempt 3)" || got.Attempts != 3 {
			t.Fatalf("record: %+v", got)
		}
		var dl []jobs.DeadLetter
		eventually(t, "the dead letter", func() bool {
			dl, _ = q.DeadLetters(context.Background(), 10)
			return len(dl) == 1
		})
		if dl[0].JobID != j.ID || dl[0].Attempts != 3 || dl[0].LastError != "disk full (attempt 3)" {
			t.Fatalf("dead letter: %+v", dl[0])
		}
		if n := calls.Load(); n != 3 {
			t.Fatalf("handler ran %d times, want 3", n)
		}
	})
}

// A job whose last attempt's worker died is dead-lettered by the queue and
// its record failed by the runner that noticed, without running it again.
func TestRunnerFailsTheRecordOfAJobWhoseLastWorkerDied(t *testing.T) {
	forEachQueue(t, func(t *testing.T, newQueue newQueueFunc) {
		st, q := openStore(t), newQueue(t, jobs.Options{MaxAttempts: 1, VisibilityTimeout: 300 * time.Millisecond})
		c := context.Background()
		j := submit(t, st, q, store.Job{Kind: "work"})
		if _, err := q.Receive(c, "doomed"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ClaimJob(c, j.ID, "doomed", time.Now(), 0); err != nil {
			t.Fatal(err)
		}
		r := jobs.NewRunner(q, st, runnerOpts(t))
		var calls atomic.Int32
		r.Handle("work", func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
			calls.Add(1)
			return nil, nil
		}, jobs.HandleOptions{})
		startRunner(t, r)
		got := waitFinal(t, st, j.ID)
		if got.Status != store.JobFailed || !strings.Contains(got.Error, "lease expired") || calls.Load() != 0 {
			t.Fatalf("record: %+v, handler ran %d times", got, calls.Load())
		}
		dl, err := q.DeadLetters(c, 10)
		if err != nil || len(dl) != 1 || dl[0].JobID != j.ID {
			t.Fatalf("dead letters: %+v, %v", dl, err)
		}
	})
}

func TestRunnerCancelsARunningJobOnRequest(t *testing.T) {
	forEachQueue(t, func(t *testing.T, newQueue newQueueFunc) {
		st, q := openStore(t), newQueue(t, jobs.Options{})
		r := jobs.NewRunner(q, st, runnerOpts(t))
		started := make(chan struct{})
		r.Handle("long", func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}, jobs.HandleOptions{})
		startRunner(t, r)
		j := submit(t, st, q, store.Job{Kind: "long"})
		<-started
		if _, err := st.RequestJobCancel(context.Background(), j.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if got := waitFinal(t, st, j.ID); got.Status != store.JobCancelled {
			t.Fatalf("record: %+v", got)
		}
	})
}

// On shutdown a job that does not end within the grace period is handed
// back: the record is queued again with the attempt uncounted and the id
// is delivered again, as a first attempt.
func TestRunnerShutdownHandsRunningJobsBack(t *testing.T) {
	forEachQueue(t, func(t *testing.T, newQueue newQueueFunc) {
		st, q := openStore(t), newQueue(t, jobs.Options{})
		r := jobs.NewRunner(q, st, runnerOpts(t))
		started := make(chan struct{})
		r.Handle("long", func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}, jobs.HandleOptions{})
		stop := startRunner(t, r)
		j := submit(t, st, q, store.Job{Kind: "long"})
		<-started
		stop()
		got := jobStatus(t, st, j.ID)
		if got.Status != store.JobQueued || got.Attempts != 0 {
			t.Fatalf("record after shutdown: %+v", got)
		}
		m, err := q.Receive(testCtx(t), "next")
		if err != nil || m.JobID != j.ID || m.Attempt != 1 {
			t.Fatalf("after shutdown: %+v, %v", m, err)
		}
	})
}

func TestRunnerRunsOneJobOfAnExclusiveKindPerCluster(t *testing.T) {
	forEachQueue(t, func(t *testing.T, newQueue newQueueFunc) {
		st, q := openStore(t), newQueue(t, jobs.Options{})
		opts := runnerOpts(t)
		opts.Workers = 4
		if _, ok := q.(*jobs.RedisQueue); ok {
			c, prefix := redistest.Shared(t)
			opts.Limiter = jobs.NewRedisLimiter(c, prefix+"locks:")
		}
		r := jobs.NewRunner(q, st, opts)
		var mu sync.Mutex
		running, most := map[string]int{}, map[string]int{}
		otherStarted := make(chan struct{})
		r.Handle("defrag", func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
			cl := run.Job.Cluster
			mu.Lock()
			running[cl]++
			most[cl] = max(most[cl], running[cl])
			mu.Unlock()
			if cl == "other" {
				close(otherStarted)
			} else {
				// prod's jobs wait for other's: clusters are not serialised.
				select {
				case <-otherStarted:
				case <-ctx.Done():
				}
				time.Sleep(20 * time.Millisecond)
			}
			mu.Lock()
			running[cl]--
			mu.Unlock()
			return nil, nil
		}, jobs.HandleOptions{ExclusivePerCluster: true})
		startRunner(t, r)
		var ids []string
		for _, cl := range []string{"prod", "prod", "prod", "other"} {
			ids = append(ids, submit(t, st, q, store.Job{Kind: "defrag", Cluster: cl}).ID)
		}
		for _, id := range ids {
			if got := waitFinal(t, st, id); got.Status != store.JobSucceeded {
				t.Fatalf("job %s: %+v", id, got)
			}
		}
		if most["prod"] != 1 || most["other"] != 1 {
			t.Fatalf("most at once per cluster: %v, want 1 each", most)
		}
	})
}

// Redis stopped: Submit fails naming the queue; Redis back (empty, as
// after a restart without persistence): the same runner drains new jobs.
func TestRunnerSurvivesARedisRestart(t *testing.T) {
	srv := redistest.Start(t, "")
	st := openStore(t)
	q := jobs.NewRedisQueue(srv.Client(), "restart", jobs.RedisOptions{Poll: 50 * time.Millisecond})
	r := jobs.NewRunner(q, st, runnerOpts(t))
	var done atomic.Int32
	r.Handle("work", func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
		done.Add(1)
		return nil, nil
	}, jobs.HandleOptions{})
	startRunner(t, r)
	before := submit(t, st, q, store.Job{Kind: "work"})
	waitFinal(t, st, before.ID)

	srv.Stop()
	_, err := jobs.Submit(context.Background(), st, q, store.Job{Kind: "work", Cluster: "prod"})
	if err == nil || !errContains(err, "queue restart") {
		t.Fatalf("submit with Redis down: %v; want an error naming the queue", err)
	}
	time.Sleep(300 * time.Millisecond) // let the workers see the outage
	srv.Restart()
	var after []string
	for range 5 {
		after = append(after, submit(t, st, q, store.Job{Kind: "work"}).ID)
	}
	for _, id := range after {
		if got := waitFinal(t, st, id); got.Status != store.JobSucceeded {
			t.Fatalf("job %s after the restart: %+v", id, got)
		}
	}
}

func errContains(err error, s string) bool { return err != nil && strings.Contains(err.Error(), s) }
