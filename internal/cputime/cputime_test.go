package cputime

import (
	"os"
	"runtime"
	"testing"
	"time"
)

// Spinning uses CPU time that Self sees, and Named sees this process under its own name.
func TestSelfAndNamedCountThisProcess(t *testing.T) {
	// Spin for 100 ms of CPU: /proc counts in clock ticks (10 ms), so a shorter spin can
	// read as none there on a busy machine.
	before, deadline := Self(), time.Now().Add(10*time.Second)
	x := 0
	for Self()-before < 100*time.Millisecond && time.Now().Before(deadline) {
		for i := range 1_000_000 {
			x += i
		}
	}
	_ = x
	if Self() <= before {
		t.Errorf("Self did not grow while spinning: %v", before)
	}
	if runtime.GOOS != "linux" {
		return
	}
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	if got := Named(string(comm[:len(comm)-1])); got <= 0 {
		t.Errorf("Named(%q) = %v, want this process's CPU time", comm, got)
	}
	if got := Named("no-such-process-name"); got != 0 {
		t.Errorf("Named of no process = %v, want 0", got)
	}
}
