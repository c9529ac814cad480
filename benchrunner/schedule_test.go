package benchrunner

import (
	"context"
	"math"
	"testing"
	"time"
)

// A server that stalls for a second under a 100/s schedule: every request meant to start
// during the stall is charged from its slot, not from when a freed worker finally sent it.
func TestLatencyCountsFromIntendedStartNotFromSend(t *testing.T) {
	start := time.Unix(1_000_000, 0)
	s := newSchedule(start, 100, 100)
	rec := newRecorder(start)
	stallEnd := start.Add(time.Second)
	for i := int64(0); i < 100; i++ {
		intended := s.intendedStart(i)
		if want := start.Add(time.Duration(i) * 10 * time.Millisecond); !intended.Equal(want) {
			t.Fatalf("slot %d intended at %v, want %v", i, intended, want)
		}
		// The one worker was blocked until the stall ended; each request then takes 1ms.
		sent := stallEnd.Add(time.Duration(i) * time.Millisecond)
		rec.record(result{Intended: intended, Sent: sent, End: sent.Add(time.Millisecond)})
	}
	f := rec.finish(stallEnd.Add(200 * time.Millisecond))
	if f.Service.Slowest != 0.001 || f.Service.Fastest != 0.001 {
		t.Errorf("service time from the send: fastest %v slowest %v, want 1ms both", f.Service.Fastest, f.Service.Slowest)
	}
	// Slot 0 waited the whole stall: 1s + 1ms; slot 99 was meant at 990ms and done at 1.1s.
	if got, want := f.Latency.Slowest, 1.001; math.Abs(got-want) > 1e-9 {
		t.Errorf("slowest latency %v, want %v (slot 0, from its intended start)", got, want)
	}
	if got, want := f.Latency.Fastest, 0.110; math.Abs(got-want) > 1e-9 {
		t.Errorf("fastest latency %v, want %v (slot 99: 1.1s - 0.99s)", got, want)
	}
	// Latency of slot i is 1.001 + i*(0.001-0.010): mean over i=0..99 is 1.001 - 0.009*49.5.
	if got, want := f.Latency.Average, 1.001-0.009*49.5; math.Abs(got-want) > 1e-9 {
		t.Errorf("average latency %v, want %v", got, want)
	}
	if p50 := f.Latency.Percentiles["50"]; math.Abs(p50-(1.001-0.009*50))/p50 > 0.01 {
		t.Errorf("p50 latency %v, want about %v", p50, 1.001-0.009*50)
	}
}

// Without a rate a request's latency is its service time: the slot carries no intended start.
func TestClosedLoopLatencyEqualsServiceTime(t *testing.T) {
	s := newSchedule(time.Now(), 0, 3)
	for i := 0; i < 3; i++ {
		slot, intended, ok := s.take(context.Background())
		if !ok || slot != int64(i) || !intended.IsZero() {
			t.Fatalf("take %d: slot %d intended %v ok %v", i, slot, intended, ok)
		}
	}
	if _, _, ok := s.take(context.Background()); ok {
		t.Fatal("a fourth slot was handed out of three")
	}
}

// A worker that is late for its slot sends at once and keeps the slot's intended start.
func TestLateSlotKeepsItsIntendedStart(t *testing.T) {
	start := time.Now().Add(-time.Hour)
	s := newSchedule(start, 10, 5)
	for i := int64(0); i < 5; i++ {
		slot, intended, ok := s.take(context.Background())
		if !ok || slot != i {
			t.Fatalf("take: slot %d ok %v", slot, ok)
		}
		if want := start.Add(time.Duration(i) * 100 * time.Millisecond); !intended.Equal(want) {
			t.Errorf("slot %d intended %v, want %v", i, intended, want)
		}
	}
}

// A cancelled context ends the wait for a future slot.
func TestCancelledScheduleHandsOutNoSlot(t *testing.T) {
	s := newSchedule(time.Now().Add(time.Hour), 1, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, ok := s.take(ctx); ok {
		t.Fatal("a slot was handed out after cancellation")
	}
}

// The histogram's size does not depend on how many values it holds.
func TestHistogramMemoryDoesNotGrowWithRequests(t *testing.T) {
	m := newMoments()
	before := m.hist.ByteSize()
	for i := 0; i < 200_000; i++ {
		m.add(time.Duration(i%5000+1) * time.Microsecond)
	}
	if after := m.hist.ByteSize(); after != before {
		t.Fatalf("histogram grew from %d to %d bytes", before, after)
	}
}
