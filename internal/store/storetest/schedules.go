package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func newSchedule(name, kind, cluster string, created time.Time) store.Schedule {
	return store.Schedule{Name: name, Kind: kind, Cluster: cluster, Cron: "0 3 * * *", CreatedBy: "alice",
		CreatedAt: created, Parameters: json.RawMessage(`{"member":"m1"}`)}
}

func testSchedulesCreateGet(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	sc, err := st.CreateSchedule(c, newSchedule("nightly", "defrag", "prod", base))
	if err != nil || sc.ID == "" || sc.Timezone != store.DefaultTimezone || !sc.UpdatedAt.Equal(base) || sc.Paused ||
		!sc.LastSlot.IsZero() || sc.LastJobID != "" || sc.MissedSlots != 0 {
		t.Fatalf("create: %+v, %v", sc, err)
	}
	read, err := st.Schedule(c, sc.ID)
	if err != nil || read.Name != "nightly" || read.Kind != "defrag" || read.Cluster != "prod" || read.Cron != "0 3 * * *" ||
		read.Timezone != "UTC" || read.CreatedBy != "alice" || !read.CreatedAt.Equal(base) || !read.UpdatedAt.Equal(base) ||
		read.Paused || !read.LastSlot.IsZero() {
		t.Fatalf("schedule: %+v, %v", read, err)
	}
	jsonEq(t, "parameters", read.Parameters, `{"member":"m1"}`)
	paris := newSchedule("paris", "snapshot", "prod", base)
	paris.Timezone, paris.Paused, paris.Parameters = "Europe/Paris", true, nil
	if got, err := st.CreateSchedule(c, paris); err != nil || got.Timezone != "Europe/Paris" || !got.Paused {
		t.Fatalf("create paused in Paris: %+v, %v", got, err)
	}
	if _, err := st.CreateSchedule(c, newSchedule("nightly", "snapshot", "prod", base)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("same name on the same cluster: %v, want ErrConflict", err)
	}
	if _, err := st.CreateSchedule(c, newSchedule("nightly", "defrag", "staging", base)); err != nil {
		t.Fatalf("same name on another cluster: %v", err)
	}
	if _, err := st.Schedule(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown schedule: %v, want ErrNotFound", err)
	}
	for _, bad := range []struct {
		field string
		edit  func(*store.Schedule)
	}{
		{"name", func(s *store.Schedule) { s.Name = "" }},
		{"kind", func(s *store.Schedule) { s.Kind = "" }},
		{"cluster", func(s *store.Schedule) { s.Cluster = "" }},
		{"cron", func(s *store.Schedule) { s.Cron = "" }},
		{"parameters", func(s *store.Schedule) { s.Parameters = json.RawMessage(`[1]`) }},
		{"name", func(s *store.Schedule) { s.Name = strings.Repeat("n", store.MaxScheduleNameLen+1) }},
		{"name", func(s *store.Schedule) { s.Name = "a\x00b" }},
		{"id", func(s *store.Schedule) { s.ID = strings.Repeat("i", store.MaxScheduleIDLen+1) }},
	} {
		s := newSchedule("bad", "defrag", "prod", base)
		bad.edit(&s)
		_, err := st.CreateSchedule(c, s)
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), bad.field+":") {
			t.Errorf("create with a bad %s (%q): %v, want ErrInvalid naming the field", bad.field, s.Name, err)
		}
	}
	if p, err := st.ListSchedules(c, store.ScheduleFilter{}); err != nil || len(p.Schedules) != 3 {
		t.Fatalf("bad schedules were stored: %d schedules, %v", len(p.Schedules), err)
	}
}

func testSchedulesList(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	for i := range 7 {
		kind, cluster := "defrag", "prod"
		if i%2 == 1 {
			kind = "snapshot"
		}
		if i == 6 {
			cluster = "staging"
		}
		s := newSchedule(fmt.Sprintf("s%d", i), kind, cluster, base.Add(time.Duration(i/2)*time.Second))
		s.Paused = i < 2
		if _, err := st.CreateSchedule(c, s); err != nil {
			t.Fatal(err)
		}
	}
	all, err := st.ListSchedules(c, store.ScheduleFilter{Limit: 100})
	if err != nil || len(all.Schedules) != 7 || all.Next != "" {
		t.Fatalf("list all: %d schedules, next %q, %v", len(all.Schedules), all.Next, err)
	}
	for i := 1; i < len(all.Schedules); i++ {
		a, b := all.Schedules[i-1], all.Schedules[i]
		if a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID) {
			t.Fatalf("list order: %s@%v before %s@%v", a.ID, a.CreatedAt, b.ID, b.CreatedAt)
		}
	}
	var paged []store.Schedule
	f := store.ScheduleFilter{Limit: 3}
	for {
		p, err := st.ListSchedules(c, f)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, p.Schedules...)
		if p.Next == "" {
			break
		}
		f.Cursor = p.Next
	}
	if len(paged) != 7 {
		t.Fatalf("paging gave %d schedules, want 7", len(paged))
	}
	for i := range paged {
		if paged[i].ID != all.Schedules[i].ID {
			t.Fatalf("page order differs at %d", i)
		}
	}
	paused, running := true, false
	for _, tc := range []struct {
		f    store.ScheduleFilter
		want int
	}{
		{store.ScheduleFilter{Kind: "snapshot"}, 3},
		{store.ScheduleFilter{Cluster: "staging"}, 1},
		{store.ScheduleFilter{Clusters: []string{"staging"}}, 1},
		{store.ScheduleFilter{Clusters: []string{"staging", "nowhere"}, Kind: "defrag"}, 1},
		{store.ScheduleFilter{Clusters: []string{"staging", "prod"}, Kind: "snapshot"}, 3},
		{store.ScheduleFilter{Clusters: []string{"nowhere"}}, 0},
		{store.ScheduleFilter{Paused: &paused}, 2},
		{store.ScheduleFilter{Paused: &running}, 5},
		{store.ScheduleFilter{Paused: &running, Kind: "defrag", Cluster: "prod"}, 2},
	} {
		if p, err := st.ListSchedules(c, tc.f); err != nil || len(p.Schedules) != tc.want {
			t.Errorf("list %+v: %d schedules, %v; want %d", tc.f, len(p.Schedules), err, tc.want)
		}
	}
	if _, err := st.ListSchedules(c, store.ScheduleFilter{Cursor: "garbage"}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("list with a bad cursor: %v, want ErrInvalid", err)
	}
}

func testSchedulesPauseResumeDelete(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	sc, err := st.CreateSchedule(c, newSchedule("nightly", "defrag", "prod", base))
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.SetSchedulePaused(c, sc.ID, true, base.Add(time.Hour))
	if err != nil || !p.Paused || !p.UpdatedAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("pause: %+v, %v", p, err)
	}
	again, err := st.SetSchedulePaused(c, sc.ID, true, base.Add(2*time.Hour))
	if err != nil || !again.Paused || !again.UpdatedAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("pause of a paused schedule: %+v, %v; want it unchanged", again, err)
	}
	r, err := st.SetSchedulePaused(c, sc.ID, false, base.Add(3*time.Hour))
	if err != nil || r.Paused || !r.UpdatedAt.Equal(base.Add(3*time.Hour)) {
		t.Fatalf("resume: %+v, %v", r, err)
	}
	if read, _ := st.Schedule(c, sc.ID); read.Paused || !read.UpdatedAt.Equal(base.Add(3*time.Hour)) {
		t.Fatalf("after resume: %+v", read)
	}
	if _, err := st.SetSchedulePaused(c, "nope", true, time.Time{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("pause of an unknown schedule: %v, want ErrNotFound", err)
	}
	if err := st.DeleteSchedule(c, sc.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := st.Schedule(c, sc.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted schedule: %v, want ErrNotFound", err)
	}
	if err := st.DeleteSchedule(c, sc.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	if _, err := st.AdvanceSchedule(c, sc.ID, base.Add(time.Hour), "j", 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("advance of a deleted schedule: %v, want ErrNotFound", err)
	}
	if _, err := st.CreateSchedule(c, newSchedule("nightly", "defrag", "prod", base)); err != nil {
		t.Fatalf("the name of a deleted schedule is free again: %v", err)
	}
}

func testSchedulesAdvanceOnlyForward(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	sc, err := st.CreateSchedule(c, newSchedule("nightly", "defrag", "prod", base))
	if err != nil {
		t.Fatal(err)
	}
	slot := base.Add(3 * time.Hour)
	if ok, err := st.AdvanceSchedule(c, sc.ID, slot, "job-1", 2); err != nil || !ok {
		t.Fatalf("first advance: %v, %v", ok, err)
	}
	read, _ := st.Schedule(c, sc.ID)
	if !read.LastSlot.Equal(slot) || read.LastJobID != "job-1" || read.MissedSlots != 2 {
		t.Fatalf("after advance: %+v", read)
	}
	for _, s := range []time.Time{slot, slot.Add(-time.Hour)} {
		if ok, err := st.AdvanceSchedule(c, sc.ID, s, "job-2", 5); err != nil || ok {
			t.Fatalf("advance to %v, not after the last slot: %v, %v; want false", s, ok, err)
		}
	}
	// A skipped slot moves the slot on, keeps the last job and counts.
	if ok, err := st.AdvanceSchedule(c, sc.ID, slot.Add(24*time.Hour), "", 1); err != nil || !ok {
		t.Fatalf("advance of a skipped slot: %v, %v", ok, err)
	}
	read, _ = st.Schedule(c, sc.ID)
	if !read.LastSlot.Equal(slot.Add(24*time.Hour)) || read.LastJobID != "job-1" || read.MissedSlots != 3 {
		t.Fatalf("after a skipped slot: %+v", read)
	}
	if _, err := st.AdvanceSchedule(c, "nope", slot, "j", 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("advance of an unknown schedule: %v, want ErrNotFound", err)
	}
	if _, err := st.AdvanceSchedule(c, sc.ID, time.Time{}, "j", 0); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("advance to a zero slot: %v, want ErrInvalid", err)
	}
	if _, err := st.AdvanceSchedule(c, sc.ID, slot.Add(48*time.Hour), "j", -1); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("advance with negative missed slots: %v, want ErrInvalid", err)
	}
}

func testSchedulesConcurrentAdvance(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	sc, err := st.CreateSchedule(c, newSchedule("nightly", "defrag", "prod", base))
	if err != nil {
		t.Fatal(err)
	}
	slot := base.Add(3 * time.Hour)
	var mu sync.Mutex
	var winners []int
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ok, err := st.AdvanceSchedule(c, sc.ID, slot, fmt.Sprintf("job-%d", i), 1)
			if err != nil {
				t.Errorf("advance %d: %v", i, err)
				return
			}
			if ok {
				mu.Lock()
				winners = append(winners, i)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("advances %v won, want exactly one", winners)
	}
	read, _ := st.Schedule(c, sc.ID)
	if read.LastJobID != fmt.Sprintf("job-%d", winners[0]) || read.MissedSlots != 1 || !read.LastSlot.Equal(slot) {
		t.Fatalf("after concurrent advances: %+v, winner %d", read, winners[0])
	}
}
