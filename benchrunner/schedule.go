package benchrunner

import (
	"context"
	"sync/atomic"
	"time"
)

// schedule hands out the run's request slots to the workers. Without a rate it is etcd's
// closed loop: a slot is taken when a worker is free and its intended start is that moment.
// With a rate, slot i is meant to start at start + i/rate whether or not earlier requests have
// come back: a worker that takes it late (every worker was waiting on a stalled server) sends
// it at once, and its latency still counts from the intended start. That is what a client
// population that does not wait for the server would have seen; etcd's tool, which waits on a
// token bucket and times from the send, hides the stall (coordinated omission).
type schedule struct {
	start    time.Time
	interval time.Duration // 0: no rate
	total    int64
	next     atomic.Int64
}

func newSchedule(start time.Time, rate int, total int64) *schedule {
	s := &schedule{start: start, total: total}
	if rate > 0 {
		s.interval = time.Second / time.Duration(rate)
		if s.interval <= 0 {
			s.interval = 1
		}
	}
	return s
}

// intendedStart is slot i's place in the schedule (meaningful with a rate).
func (s *schedule) intendedStart(i int64) time.Time {
	return s.start.Add(time.Duration(i) * s.interval)
}

// take claims the next slot, waits until its intended start (with a rate) and returns the slot
// and that start (zero without a rate: the caller then counts from the send); ok is false when
// the slots are used up or ctx is done.
func (s *schedule) take(ctx context.Context) (slot int64, intended time.Time, ok bool) {
	slot = s.next.Add(1) - 1
	if slot >= s.total {
		return 0, time.Time{}, false
	}
	if s.interval == 0 {
		return slot, time.Time{}, ctx.Err() == nil
	}
	intended = s.intendedStart(slot)
	if wait := time.Until(intended); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, time.Time{}, false
		case <-t.C:
		}
	}
	return slot, intended, ctx.Err() == nil
}
