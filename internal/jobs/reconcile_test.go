package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// counter counts the runs of each job.
type counter struct {
	mu   sync.Mutex
	runs map[string]int
}

func (c *counter) handler(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runs == nil {
		c.runs = map[string]int{}
	}
	c.runs[run.Job.ID]++
	return nil, nil
}

func (c *counter) count(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs[id]
}

func (c *counter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, k := range c.runs {
		n += k
	}
	return n
}

func reconcilingRunner(t *testing.T, q jobs.Queue, st store.JobStore, name string, runs *counter) *jobs.Runner {
	opts := runnerOpts(t)
	opts.Name = name
	opts.ReconcileInterval = 20 * time.Millisecond
	r := jobs.NewRunner(q, st, opts)
	r.Handle("work", runs.handler, jobs.HandleOptions{})
	return r
}

// createOnly stores a queued record without putting its id on the queue,
// as when the enqueue after CreateJob failed.
func createOnly(t *testing.T, st store.JobStore) store.Job {
	t.Helper()
	j, _, err := st.CreateJob(context.Background(), store.Job{Kind: "work", Cluster: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// lostWorker stores a record claimed an hour ago by a worker that then
// died with the queue's copy of the id (never enqueued, or lost with a
// Redis restart): running, no heartbeat since, not in the queue.
func lostWorker(t *testing.T, st store.JobStore, claims int) store.Job {
	t.Helper()
	j := createOnly(t, st)
	var err error
	for range claims {
		if j, err = st.ClaimJob(context.Background(), j.ID, "lost", time.Now().Add(-time.Hour), 0); err != nil {
			t.Fatal(err)
		}
	}
	return j
}

func TestReconcilerEnqueuesAQueuedRecordMissingFromTheQueue(t *testing.T) {
	for _, sk := range storeKinds {
		t.Run(sk.name, func(t *testing.T) {
			forEachQueue(t, func(t *testing.T, newQueue newQueueFunc) {
				st, q := sk.open(t), newQueue(t, jobs.Options{})
				j := createOnly(t, st)
				var runs counter
				startRunner(t, reconcilingRunner(t, q, st, "r1", &runs))
				got := waitFinal(t, st, j.ID)
				if got.Status != store.JobSucceeded || got.Attempts != 1 || runs.count(j.ID) != 1 {
					t.Fatalf("record: %+v, ran %d times", got, runs.count(j.ID))
				}
				// A finished record is no longer the reconciler's business.
				rep, err := jobs.NewReconciler(q, st, jobs.ReconcileOptions{}).Pass(context.Background())
				if err != nil || rep != (jobs.ReconcileReport{}) {
					t.Fatalf("pass after the run: %+v, %v", rep, err)
				}
			})
		})
	}
}

func TestReconcilerHandsBackTheJobOfALostWorker(t *testing.T) {
	forEachQueue(t, func(t *testing.T, newQueue newQueueFunc) {
		st, q := openStore(t), newQueue(t, jobs.Options{})
		c := context.Background()
		lost := lostWorker(t, st, 1)
		// A live worker's record (fresh heartbeat) that is not in the queue
		// either is left alone: it may yet heartbeat.
		live := createOnly(t, st)
		live, err := st.ClaimJob(c, live.ID, "live", time.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := jobs.NewReconciler(q, st, jobs.ReconcileOptions{}).Pass(c)
		if err != nil || rep.HandedBack != 1 || rep.Checked != 2 || rep.Enqueued != 0 || rep.Failed != 0 {
			t.Fatalf("pass: %+v, %v", rep, err)
		}
		if got := jobStatus(t, st, lost.ID); got.Status != store.JobQueued || got.Attempts != 1 || !strings.Contains(got.Error, "worker lost lost") {
			t.Fatalf("handed back: %+v", got)
		}
		if got := jobStatus(t, st, live.ID); got.Status != store.JobRunning || got.Fence != live.Fence {
			t.Fatalf("live worker's record: %+v", got)
		}
		var runs counter
		startRunner(t, reconcilingRunner(t, q, st, "r1", &runs))
		got := waitFinal(t, st, lost.ID)
		if got.Status != store.JobSucceeded || got.Attempts != 2 || got.Error != "" || runs.count(lost.ID) != 1 {
			t.Fatalf("record: %+v, ran %d times", got, runs.count(lost.ID))
		}
		// The lost worker was alive after all: its heartbeat and finish are refused.
		if _, err := st.HeartbeatJob(c, lost.ID, lost.Fence, nil, time.Now()); !errors.Is(err, store.ErrFenced) {
			t.Fatalf("late heartbeat: %v, want ErrFenced", err)
		}
		if _, err := st.FinishJob(c, lost.ID, lost.Fence, store.JobOutcome{Status: store.JobFailed, Error: "late"}); !errors.Is(err, store.ErrFenced) {
			t.Fatalf("late finish: %v, want ErrFenced", err)
		}
	})
}

// A handed-back record is fenced at once, before anyone claims it again.
func TestReconcilerHandBackFencesTheLostWorkerAtOnce(t *testing.T) {
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	lost := lostWorker(t, st, 1)
	if _, err := jobs.NewReconciler(q, st, jobs.ReconcileOptions{}).Pass(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FinishJob(context.Background(), lost.ID, lost.Fence, store.JobOutcome{Status: store.JobSucceeded}); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("finish by the lost worker: %v, want ErrFenced", err)
	}
	if ok, err := q.Has(context.Background(), lost.ID); err != nil || !ok {
		t.Fatalf("handed back but not enqueued: %v, %v", ok, err)
	}
}

func TestReconcilerFailsTheJobOfALostWorkerOutOfAttempts(t *testing.T) {
	forEachQueue(t, func(t *testing.T, newQueue newQueueFunc) {
		st, q := openStore(t), newQueue(t, jobs.Options{MaxAttempts: 2})
		lost := lostWorker(t, st, 2)
		var runs counter
		startRunner(t, reconcilingRunner(t, q, st, "r1", &runs))
		got := waitFinal(t, st, lost.ID)
		if got.Status != store.JobFailed || !strings.Contains(got.Error, "attempt 2 of 2") || runs.total() != 0 {
			t.Fatalf("record: %+v, handler ran %d times", got, runs.total())
		}
		if _, err := st.FinishJob(context.Background(), lost.ID, lost.Fence, store.JobOutcome{Status: store.JobSucceeded}); !errors.Is(err, store.ErrJobFinished) {
			t.Fatalf("finish by the lost worker: %v, want ErrJobFinished", err)
		}
	})
}

// Redis restarted without persistence loses the stream: the queued jobs
// and the one whose worker died with it are enqueued again and run once.
func TestReconcilerRestoresTheQueueAfterRedisRestartedEmpty(t *testing.T) {
	srv := redistest.Start(t, "")
	st := openStore(t)
	q := jobs.NewRedisQueue(srv.Client(), "restart", jobs.RedisOptions{Poll: 50 * time.Millisecond})
	c := context.Background()
	var ids []string
	for range 3 {
		ids = append(ids, submit(t, st, q, store.Job{Kind: "work"}).ID)
	}
	lost := submit(t, st, q, store.Job{Kind: "work"})
	if _, err := st.ClaimJob(c, lost.ID, "lost", time.Now().Add(-time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	ids = append(ids, lost.ID)
	srv.Stop()
	srv.Restart()
	for _, id := range ids {
		if ok, err := q.Has(c, id); err != nil || ok {
			t.Fatalf("after the restart: Has(%s) = %v, %v; want false", id, ok, err)
		}
	}
	var runs counter
	opts := runnerOpts(t)
	opts.ReconcileInterval = time.Hour // the pass at start does it
	r := jobs.NewRunner(q, st, opts)
	r.Handle("work", runs.handler, jobs.HandleOptions{})
	startRunner(t, r)
	for _, id := range ids {
		if got := waitFinal(t, st, id); got.Status != store.JobSucceeded || runs.count(id) != 1 {
			t.Fatalf("job %s: %+v, ran %d times", id, got, runs.count(id))
		}
	}
}

// Two runners, each reconciling often, and passes run side by side: every
// job runs exactly once.
func TestReconcilersRunningAtOnceRunEachJobOnce(t *testing.T) {
	forEachQueue(t, func(t *testing.T, newQueue newQueueFunc) {
		st, q := openStore(t), newQueue(t, jobs.Options{})
		var ids []string
		for i := range 20 {
			if i%4 == 0 {
				ids = append(ids, lostWorker(t, st, 1).ID)
			} else {
				ids = append(ids, createOnly(t, st).ID)
			}
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				rec := jobs.NewReconciler(q, st, jobs.ReconcileOptions{PageSize: 3})
				if _, err := rec.Pass(context.Background()); err != nil {
					t.Errorf("pass: %v", err)
				}
			})
		}
		var runs counter
		for i := range 2 {
			startRunner(t, reconcilingRunner(t, q, st, fmt.Sprintf("r%d", i), &runs))
		}
		wg.Wait()
		for _, id := range ids {
			if got := waitFinal(t, st, id); got.Status != store.JobSucceeded {
				t.Fatalf("job %s: %+v", id, got)
			}
		}
		time.Sleep(200 * time.Millisecond) // a second run would show up here
		for _, id := range ids {
			if n := runs.count(id); n != 1 {
				t.Fatalf("job %s ran %d times, want 1", id, n)
			}
		}
	})
}

// A pass looks at no more than MaxPerPass records and the next goes on
// where it stopped.
func TestReconcilerPassIsBoundedAndResumes(t *testing.T) {
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	for range 7 {
		createOnly(t, st)
	}
	rec := jobs.NewReconciler(q, st, jobs.ReconcileOptions{PageSize: 2, MaxPerPass: 6})
	c := context.Background()
	var total int
	for i := range 3 {
		rep, err := rec.Pass(c)
		if err != nil || rep.Checked > 6 {
			t.Fatalf("pass %d: %+v, %v", i, rep, err)
		}
		total += rep.Enqueued
	}
	if total != 7 || q.Len() != 7 {
		t.Fatalf("enqueued %d over three passes, queue holds %d; want 7", total, q.Len())
	}
}

// With Redis down a pass stops at the first record (every other would
// fail alike) and names the queue; the next pass, Redis back, does the work.
func TestReconcilerPassStopsWhileTheQueueIsDown(t *testing.T) {
	srv := redistest.Start(t, "")
	st := openStore(t)
	q := jobs.NewRedisQueue(srv.Client(), "down", jobs.RedisOptions{Poll: 50 * time.Millisecond})
	for range 3 {
		createOnly(t, st)
	}
	rec := jobs.NewReconciler(q, st, jobs.ReconcileOptions{PageSize: 2})
	c := context.Background()
	srv.Stop()
	rep, err := rec.Pass(c)
	if !errContains(err, "queue down") || rep.Enqueued != 0 || rep.Checked != 1 {
		t.Fatalf("pass with Redis down: %+v, %v", rep, err)
	}
	srv.Restart()
	rep, err = rec.Pass(c)
	if err != nil || rep.Enqueued != 3 {
		t.Fatalf("pass with Redis back: %+v, %v", rep, err)
	}
}
