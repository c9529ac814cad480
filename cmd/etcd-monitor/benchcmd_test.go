package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestBenchTunesTheCollectorUnlessTheEnvironmentDoes(t *testing.T) {
	gc, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) })

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	tuneCollectorForBench()
	if got := debug.SetGCPercent(100); got != benchGCPercent {
		t.Errorf("GOGC unset: GC percent %d, want %d", got, benchGCPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != benchMemoryLimit {
		t.Errorf("GOMEMLIMIT unset: memory limit %d, want %d", got, benchMemoryLimit)
	}

	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetGCPercent(150)
	tuneCollectorForBench()
	if got := debug.SetGCPercent(100); got != 150 {
		t.Errorf("GOGC=150: GC percent %d, want it left at 150", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set: memory limit %d, want it left alone", got)
	}
}
