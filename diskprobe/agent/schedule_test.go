package agent

import (
	"context"
	"testing"
	"time"
)

func TestScheduledProbesRunUntilTheContextEndsAndLeaveNothing(t *testing.T) {
	ta := newTestAgent(t, Config{Interval: time.Second, Jitter: 0.5})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ta.Run(ctx) }()
	waitFor(t, "two scheduled probes", func() bool {
		return ta.metric(t, "etcd_monitor_diskprobe_runs_total", map[string]string{"trigger": "schedule", "result": "pass"})+
			ta.metric(t, "etcd_monitor_diskprobe_runs_total", map[string]string{"trigger": "schedule", "result": "fail"}) >= 2
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if left := leftovers(t, ta.dir); len(left) != 0 {
		t.Fatalf("left %v", left)
	}
	if got := ta.metric(t, "etcd_monitor_diskprobe_bytes_written_total", map[string]string{"trigger": "schedule"}); got < 2*230_000 {
		t.Errorf("bytes written %g, want at least two probes' 460000", got)
	}
}

func TestStoppingTheAgentStopsARunningScheduledProbe(t *testing.T) {
	ta := newTestAgent(t, Config{Interval: time.Second})
	ta.cfg.Job.Duration = 10 * time.Minute // time-based: it runs until stopped
	ta.rand = func() float64 { return 0 }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ta.Run(ctx) }()
	waitFor(t, "the scheduled probe to run", func() bool { return ta.isRunning(triggerSchedule) })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if ta.isRunning(triggerSchedule) {
		t.Fatal("Run returned with its probe running")
	}
	if left := leftovers(t, ta.dir); len(left) != 0 {
		t.Fatalf("left %v", left)
	}
	if got := ta.metric(t, "etcd_monitor_diskprobe_runs_total", map[string]string{"trigger": "schedule", "result": "cancelled"}); got != 1 {
		t.Errorf("runs_total{schedule,cancelled} = %g, want 1", got)
	}
}

func TestWaitsSpreadOverIntervalPlusOrMinusJitter(t *testing.T) {
	ta := newTestAgent(t, Config{Interval: 10 * time.Minute, Jitter: 0.2})
	for _, tc := range []struct {
		rand        float64
		first, next time.Duration
	}{
		{0, 0, 8 * time.Minute},
		{0.5, time.Minute, 10 * time.Minute},
		{1, 2 * time.Minute, 12 * time.Minute},
	} {
		ta.rand = func() float64 { return tc.rand }
		if got := ta.firstWait(); got != tc.first {
			t.Errorf("rand %g: first wait %s, want %s", tc.rand, got, tc.first)
		}
		if got := ta.nextWait(); got != tc.next {
			t.Errorf("rand %g: next wait %s, want %s", tc.rand, got, tc.next)
		}
	}
}
