package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

// testClock is the schedulers' clock, moved by the test.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// day0 is midnight UTC of the schedules' first day.
var day0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// at is day0 plus h hours, m minutes and s seconds.
func at(h, m, s int) time.Time {
	return day0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
}

// scheduleKinds are the kinds the test schedulers know: "work", whose
// optional parameter member must be a string.
var scheduleKinds = []jobs.Kind{{Name: "work", Role: "admin", Cluster: true, Mutating: true,
	Validate: func(p json.RawMessage) error {
		var v struct {
			Member *json.RawMessage `json:"member"`
		}
		if err := json.Unmarshal(p, &v); err != nil {
			return err
		}
		var s string
		if v.Member != nil && json.Unmarshal(*v.Member, &s) != nil {
			return errors.New("member: must be a string")
		}
		return nil
	}}}

// replicas are n (store, queue) pairs that share one database and one queue,
// as opsproxy replicas do.
type replicas struct {
	st []store.Store
	q  []jobs.Queue
}

// replicaKinds are the set-ups the scheduler is tested on: the embedded
// defaults (one bbolt file, one in-process queue, shared by the schedulers
// of one process) and PostgreSQL with Redis (a store and a queue each).
var replicaKinds = []struct {
	name string
	open func(t *testing.T, n int) replicas
}{
	{"BoltInProcess", func(t *testing.T, n int) replicas {
		st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
		t.Cleanup(func() { _ = q.Close() })
		var r replicas
		for range n {
			r.st, r.q = append(r.st, st), append(r.q, q)
		}
		return r
	}},
	{"PostgreSQLRedis", func(t *testing.T, n int) replicas {
		dsn, schema := storetest.PostgresDSN(t), "sched_test_"+store.NewID()[:12]
		storetest.DropSchemaAtCleanup(t, dsn, schema)
		c, prefix := redistest.Shared(t)
		var r replicas
		for range n {
			st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			rc := redis.NewClient(&redis.Options{Addr: c.Options().Addr})
			t.Cleanup(func() { _ = rc.Close() })
			q := jobs.NewRedisQueue(rc, "test", jobs.RedisOptions{Prefix: prefix, Poll: 50 * time.Millisecond})
			r.st, r.q = append(r.st, st), append(r.q, q)
		}
		return r
	}},
}

func forEachReplicaKind(t *testing.T, n int, fn func(t *testing.T, r replicas)) {
	for _, k := range replicaKinds {
		t.Run(k.name, func(t *testing.T) { fn(t, k.open(t, n)) })
	}
}

func newScheduler(st jobs.SchedulerStore, q jobs.Queue, clock *testClock, opts jobs.SchedulerOptions) *jobs.Scheduler {
	opts.Now = clock.Now
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return jobs.NewScheduler(st, q, scheduleKinds, opts)
}

func createSchedule(t *testing.T, st store.ScheduleStore, cron string, created time.Time) store.Schedule {
	t.Helper()
	sc, err := st.CreateSchedule(context.Background(), store.Schedule{Name: "nightly", Kind: "work", Cluster: "prod",
		Cron: cron, CreatedBy: "alice", CreatedAt: created, Parameters: json.RawMessage(`{"member":"m1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func tick(t *testing.T, s *jobs.Scheduler) jobs.ScheduleReport {
	t.Helper()
	rep, err := s.Tick(context.Background())
	if err != nil {
		t.Fatalf("tick: %v", err)
	}
	return rep
}

func readSchedule(t *testing.T, st store.ScheduleStore, id string) store.Schedule {
	t.Helper()
	sc, err := st.Schedule(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// scheduledJobs returns the jobs in st by idempotency key.
func scheduledJobs(t *testing.T, st store.JobStore) map[string]store.Job {
	t.Helper()
	page, err := st.ListJobs(context.Background(), store.JobFilter{Limit: store.MaxJobLimit})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Job{}
	for _, j := range page.Jobs {
		if _, dup := out[j.IdempotencyKey]; dup {
			t.Fatalf("two jobs with key %q", j.IdempotencyKey)
		}
		out[j.IdempotencyKey] = j
	}
	return out
}

// wantSlotJobs checks that st holds exactly one job for each of slots of
// schedule sc, and nothing else.
func wantSlotJobs(t *testing.T, st store.JobStore, sc store.Schedule, slots ...time.Time) map[string]store.Job {
	t.Helper()
	got := scheduledJobs(t, st)
	var want, have []string
	for _, s := range slots {
		want = append(want, jobs.SlotKey(sc.ID, s))
	}
	for k := range got {
		have = append(have, k)
	}
	sort.Strings(want)
	sort.Strings(have)
	if fmt.Sprint(want) != fmt.Sprint(have) {
		t.Fatalf("jobs by key %v, want %v", have, want)
	}
	return got
}
