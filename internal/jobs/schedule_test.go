package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/logtest"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func TestSchedulerTwoReplicasFireOneJobPerSlot(t *testing.T) {
	forEachReplicaKind(t, 2, func(t *testing.T, r replicas) {
		clock := &testClock{}
		sc := createSchedule(t, r.st[0], "*/5 * * * *", at(0, 0, 30))
		scheds := []*jobs.Scheduler{
			newScheduler(r.st[0], r.q[0], clock, jobs.SchedulerOptions{}),
			newScheduler(r.st[1], r.q[1], clock, jobs.SchedulerOptions{}),
		}
		// Both replicas tick at the same moments, every 20s for 31 minutes.
		fired := 0
		for now := at(0, 0, 40); now.Before(at(0, 31, 0)); now = now.Add(20 * time.Second) {
			clock.Set(now)
			reps := make([]jobs.ScheduleReport, len(scheds))
			var wg sync.WaitGroup
			for i, s := range scheds {
				wg.Go(func() { reps[i] = tick(t, s) })
			}
			wg.Wait()
			for _, rep := range reps {
				fired += rep.Fired
				if rep.Missed != 0 || rep.Failed != 0 {
					t.Fatalf("tick at %v: %+v", now, rep)
				}
			}
		}
		slots := []time.Time{at(0, 5, 0), at(0, 10, 0), at(0, 15, 0), at(0, 20, 0), at(0, 25, 0), at(0, 30, 0)}
		got := wantSlotJobs(t, r.st[0], sc, slots...)
		if fired != len(slots) {
			t.Fatalf("the replicas recorded %d firings, want %d", fired, len(slots))
		}
		for key, j := range got {
			var params map[string]string
			if err := json.Unmarshal(j.Parameters, &params); err != nil || params["member"] != "m1" ||
				j.Kind != "work" || j.Cluster != "prod" || j.RequestedBy != "schedule:nightly (alice)" {
				t.Fatalf("job %s: %+v", key, j)
			}
			if in, err := r.q[1].Has(context.Background(), j.ID); err != nil || !in {
				t.Fatalf("job %s is not on the queue: %v, %v", j.ID, in, err)
			}
		}
		last := readSchedule(t, r.st[1], sc.ID)
		if !last.LastSlot.Equal(at(0, 30, 0)) || last.LastJobID != got[jobs.SlotKey(sc.ID, at(0, 30, 0))].ID || last.MissedSlots != 0 {
			t.Fatalf("schedule after the ticks: %+v", last)
		}
	})
}

func TestSchedulerFiresOneJobWhenItCrashedBetweenSubmitAndRecord(t *testing.T) {
	forEachReplicaKind(t, 2, func(t *testing.T, r replicas) {
		clock := &testClock{}
		sc := createSchedule(t, r.st[0], "0 3 * * *", at(0, 0, 0))
		slot := at(3, 0, 0)
		clock.Set(slot.Add(10 * time.Second))
		// The submit step of a scheduler that then died before recording the slot.
		before, err := jobs.Submit(context.Background(), r.st[0], r.q[0], jobs.SlotJob(sc, slot))
		if err != nil {
			t.Fatal(err)
		}
		clock.Set(slot.Add(40 * time.Second))
		rep := tick(t, newScheduler(r.st[1], r.q[1], clock, jobs.SchedulerOptions{}))
		if rep.Fired != 1 {
			t.Fatalf("the new scheduler's tick: %+v, want the slot recorded", rep)
		}
		got := wantSlotJobs(t, r.st[1], sc, slot)
		if got[jobs.SlotKey(sc.ID, slot)].ID != before.ID {
			t.Fatalf("the slot's job is %s, want the one submitted before the crash, %s", got[jobs.SlotKey(sc.ID, slot)].ID, before.ID)
		}
		if last := readSchedule(t, r.st[1], sc.ID); !last.LastSlot.Equal(slot) || last.LastJobID != before.ID {
			t.Fatalf("schedule: %+v", last)
		}
		// And the crashed one's successor, ticking again, adds nothing.
		if rep := tick(t, newScheduler(r.st[0], r.q[0], clock, jobs.SchedulerOptions{})); rep.Fired != 0 {
			t.Fatalf("another tick: %+v", rep)
		}
		wantSlotJobs(t, r.st[0], sc, slot)
	})
}

func TestSchedulerAfterDowntimeFiresOnlyTheLatestMissedSlot(t *testing.T) {
	forEachReplicaKind(t, 1, func(t *testing.T, r replicas) {
		st := r.st[0]
		clock := &testClock{}
		sc := createSchedule(t, st, "0 * * * *", at(0, 0, 30))
		s := newScheduler(st, r.q[0], clock, jobs.SchedulerOptions{})
		// Down from 00:00:30 to 05:10: slots 01:00 to 05:00 passed.
		clock.Set(at(5, 10, 0))
		if rep := tick(t, s); rep.Fired != 1 || rep.Missed != 4 {
			t.Fatalf("first tick after the downtime: %+v, want 1 fired and 4 missed", rep)
		}
		got := wantSlotJobs(t, st, sc, at(5, 0, 0))
		if last := readSchedule(t, st, sc.ID); !last.LastSlot.Equal(at(5, 0, 0)) || last.MissedSlots != 4 ||
			last.LastJobID != got[jobs.SlotKey(sc.ID, at(5, 0, 0))].ID {
			t.Fatalf("schedule: %+v", last)
		}
		clock.Set(at(5, 50, 0))
		if rep := tick(t, s); rep.Fired != 0 || rep.Missed != 0 {
			t.Fatalf("tick before the next slot: %+v", rep)
		}
		clock.Set(at(6, 0, 15))
		if rep := tick(t, s); rep.Fired != 1 || rep.Missed != 0 {
			t.Fatalf("tick of the next slot: %+v", rep)
		}
		wantSlotJobs(t, st, sc, at(5, 0, 0), at(6, 0, 0))
	})
}

func TestSchedulerSkipsALatestSlotPastTheStartingDeadline(t *testing.T) {
	forEachReplicaKind(t, 1, func(t *testing.T, r replicas) {
		st := r.st[0]
		clock := &testClock{}
		sc := createSchedule(t, st, "@daily", at(0, 0, 30))
		s := newScheduler(st, r.q[0], clock, jobs.SchedulerOptions{})
		// Down for three days; back two hours after the latest slot (day 3, 00:00).
		clock.Set(at(3*24+2, 0, 0))
		if rep := tick(t, s); rep.Fired != 0 || rep.Missed != 3 {
			t.Fatalf("tick after the downtime: %+v, want 3 missed and nothing fired", rep)
		}
		wantSlotJobs(t, st, sc)
		if last := readSchedule(t, st, sc.ID); !last.LastSlot.Equal(at(3*24, 0, 0)) || last.MissedSlots != 3 || last.LastJobID != "" {
			t.Fatalf("schedule: %+v", last)
		}
		// Within a shorter deadline of its own, a slot fires; past it, it does not.
		short := newScheduler(st, r.q[0], clock, jobs.SchedulerOptions{StartingDeadline: time.Minute})
		clock.Set(at(4*24, 0, 50))
		if rep := tick(t, short); rep.Fired != 1 {
			t.Fatalf("tick 50s after the slot, deadline 1m: %+v", rep)
		}
		clock.Set(at(5*24, 1, 10))
		if rep := tick(t, short); rep.Fired != 0 || rep.Missed != 1 {
			t.Fatalf("tick 70s after the slot, deadline 1m: %+v", rep)
		}
		wantSlotJobs(t, st, sc, at(4*24, 0, 0))
		if last := readSchedule(t, st, sc.ID); last.MissedSlots != 4 {
			t.Fatalf("schedule: %+v", last)
		}
	})
}

func TestSchedulerPausedDoesNotFireAndResumedFiresFromTheNextSlot(t *testing.T) {
	forEachReplicaKind(t, 1, func(t *testing.T, r replicas) {
		st := r.st[0]
		c := context.Background()
		clock := &testClock{}
		sc := createSchedule(t, st, "0 * * * *", at(0, 0, 30))
		s := newScheduler(st, r.q[0], clock, jobs.SchedulerOptions{})
		clock.Set(at(1, 0, 10))
		if rep := tick(t, s); rep.Fired != 1 {
			t.Fatalf("tick before the pause: %+v", rep)
		}
		if _, err := st.SetSchedulePaused(c, sc.ID, true, at(1, 30, 0)); err != nil {
			t.Fatal(err)
		}
		for _, now := range []time.Time{at(2, 0, 10), at(3, 0, 10)} {
			clock.Set(now)
			if rep := tick(t, s); rep != (jobs.ScheduleReport{}) {
				t.Fatalf("tick at %v while paused: %+v, want nothing looked at", now, rep)
			}
		}
		if _, err := st.SetSchedulePaused(c, sc.ID, false, at(3, 30, 0)); err != nil {
			t.Fatal(err)
		}
		// 02:00 and 03:00 passed while paused: neither fired nor missed.
		clock.Set(at(3, 30, 5))
		if rep := tick(t, s); rep.Fired != 0 || rep.Missed != 0 || rep.Checked != 1 {
			t.Fatalf("tick right after the resume: %+v", rep)
		}
		clock.Set(at(4, 0, 10))
		if rep := tick(t, s); rep.Fired != 1 || rep.Missed != 0 {
			t.Fatalf("tick at the first slot after the resume: %+v", rep)
		}
		wantSlotJobs(t, st, sc, at(1, 0, 0), at(4, 0, 0))
		if last := readSchedule(t, st, sc.ID); last.MissedSlots != 0 {
			t.Fatalf("schedule: %+v", last)
		}
	})
}

func TestSchedulerReadsTheCronInTheSchedulesTimezone(t *testing.T) {
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	clock := &testClock{}
	sc, err := st.CreateSchedule(context.Background(), store.Schedule{Name: "paris", Kind: "work", Cluster: "prod",
		Cron: "0 3 * * *", Timezone: "Europe/Paris", CreatedAt: at(0, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	s := newScheduler(st, q, clock, jobs.SchedulerOptions{})
	// 03:00 in Paris on 1 March (CET, UTC+1) is 02:00 UTC.
	clock.Set(at(2, 0, 5))
	if rep := tick(t, s); rep.Fired != 1 {
		t.Fatalf("tick at 02:00:05 UTC: %+v", rep)
	}
	got := wantSlotJobs(t, st, sc, at(2, 0, 0))
	if j := got[jobs.SlotKey(sc.ID, at(2, 0, 0))]; j.RequestedBy != "schedule:paris" {
		t.Fatalf("job of a schedule without a creator: requested by %q", j.RequestedBy)
	}
}

func TestSchedulerDoesNotFireAScheduleOfAnUnknownKind(t *testing.T) {
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	c := context.Background()
	clock := &testClock{}
	sc, err := st.CreateSchedule(c, store.Schedule{Name: "newer", Kind: "compact", Cluster: "prod", Cron: "0 * * * *",
		CreatedAt: at(0, 0, 0), Parameters: []byte(`{"password":"s3cret-in-params"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var logs logtest.Buffer
	metrics := jobs.NewScheduleMetrics()
	s := newScheduler(st, q, clock, jobs.SchedulerOptions{Metrics: metrics, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, now := range []time.Time{at(1, 0, 10), at(1, 0, 25)} {
		clock.Set(now)
		if rep := tick(t, s); rep.Fired != 0 || rep.Failed != 1 {
			t.Fatalf("tick at %v: %+v, want one failure", now, rep)
		}
	}
	wantSlotJobs(t, st, sc)
	if last := readSchedule(t, st, sc.ID); !last.LastSlot.IsZero() {
		t.Fatalf("the slot was recorded: %+v", last)
	}
	if n := strings.Count(logs.String(), "kind compact is unknown to this scheduler"); n != 1 {
		t.Fatalf("the problem was logged %d times over two ticks, want once:\n%s", n, logs.String())
	}
	if n := counterValue(t, metrics, "etcd_monitor_jobs_schedule_errors_total", "reason", jobs.ScheduleErrUnknownKind); n != 2 {
		t.Fatalf("unknown_kind errors counted: %v, want 2", n)
	}
	// A replica that knows the kind fires the slot.
	knowing := jobs.NewScheduler(st, q, append(scheduleKinds, jobs.Kind{Name: "compact"}),
		jobs.SchedulerOptions{Now: clock.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if rep := tick(t, knowing); rep.Fired != 1 {
		t.Fatalf("tick of a scheduler that knows the kind: %+v", rep)
	}
	wantSlotJobs(t, st, sc, at(1, 0, 0))
	if strings.Contains(logs.String(), "s3cret") {
		t.Fatalf("the schedule's parameters were logged:\n%s", logs.String())
	}
}

func TestSchedulerDoesNotFireParametersTheKindRefuses(t *testing.T) {
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	clock := &testClock{}
	sc, err := st.CreateSchedule(context.Background(), store.Schedule{Name: "bad", Kind: "work", Cluster: "prod",
		Cron: "0 * * * *", CreatedAt: at(0, 0, 0), Parameters: []byte(`{"member":5}`)})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(at(1, 0, 10))
	if rep := tick(t, newScheduler(st, q, clock, jobs.SchedulerOptions{})); rep.Fired != 0 || rep.Failed != 1 {
		t.Fatalf("tick: %+v, want one failure", rep)
	}
	wantSlotJobs(t, st, sc)
}

func TestSchedulerRecordsTheSlotWhenTheQueueIsDownAndTheJobStaysQueued(t *testing.T) {
	own := redistest.Start(t, "")
	c, prefix := own.Client(), redistest.KeyPrefix()
	q := jobs.NewRedisQueue(c, "test", jobs.RedisOptions{Prefix: prefix, Poll: 50 * time.Millisecond})
	st := openStore(t)
	clock := &testClock{}
	sc := createSchedule(t, st, "0 * * * *", at(0, 0, 0))
	metrics := jobs.NewScheduleMetrics()
	s := newScheduler(st, q, clock, jobs.SchedulerOptions{Metrics: metrics})
	own.Stop()
	clock.Set(at(1, 0, 10))
	if rep := tick(t, s); rep.Fired != 1 {
		t.Fatalf("tick with Redis down: %+v", rep)
	}
	got := wantSlotJobs(t, st, sc, at(1, 0, 0))
	j := got[jobs.SlotKey(sc.ID, at(1, 0, 0))]
	if j.Status != store.JobQueued {
		t.Fatalf("job: %+v, want it queued for the reconciler", j)
	}
	if n := counterValue(t, metrics, "etcd_monitor_jobs_schedule_errors_total", "reason", jobs.ScheduleErrQueue); n != 1 {
		t.Fatalf("queue errors counted: %v, want 1", n)
	}
	// Redis back: the reconciler puts the recorded job on the queue.
	own.Restart()
	if _, err := jobs.NewReconciler(q, st, jobs.ReconcileOptions{}).Pass(context.Background()); err != nil {
		t.Fatal(err)
	}
	if in, err := q.Has(context.Background(), j.ID); err != nil || !in {
		t.Fatalf("after reconciling, job on the queue: %v, %v", in, err)
	}
}

func TestSchedulerTickFailsWhenTheStoreIsGoneAndCountsIt(t *testing.T) {
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	clock := &testClock{now: at(1, 0, 10)}
	createSchedule(t, st, "0 * * * *", at(0, 0, 0))
	metrics := jobs.NewScheduleMetrics()
	s := newScheduler(st, q, clock, jobs.SchedulerOptions{Metrics: metrics})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tick(context.Background()); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("tick on a closed store: %v, want ErrClosed", err)
	}
	if n := counterValue(t, metrics, "etcd_monitor_jobs_schedule_errors_total", "reason", jobs.ScheduleErrStore); n != 1 {
		t.Fatalf("store errors counted: %v, want 1", n)
	}
}

func TestSchedulerRunTicksAtStartAndStopsWithItsContext(t *testing.T) {
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	clock := &testClock{now: at(1, 0, 10)}
	sc := createSchedule(t, st, "0 * * * *", at(0, 0, 0))
	// An interval far longer than the test: only the tick at start can fire.
	s := newScheduler(st, q, clock, jobs.SchedulerOptions{Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	for readSchedule(t, st, sc.ID).LastJobID == "" {
		select {
		case <-done:
			t.Fatal("Run returned before its context ended")
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	<-done
	wantSlotJobs(t, st, sc, at(1, 0, 0))
}

func TestSchedulerCountsEverySlotsFromTheCreation(t *testing.T) {
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	clock := &testClock{}
	sc := createSchedule(t, st, "@every 6h", at(10, 20, 0).Add(123*time.Microsecond))
	s := newScheduler(st, q, clock, jobs.SchedulerOptions{})
	for _, now := range []time.Time{at(16, 20, 5), at(22, 20, 5)} {
		clock.Set(now)
		if rep := tick(t, s); rep.Fired != 1 {
			t.Fatalf("tick at %v: %+v", now, rep)
		}
	}
	wantSlotJobs(t, st, sc, at(16, 20, 0), at(22, 20, 0))
}
