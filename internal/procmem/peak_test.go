package procmem

import "testing"

func TestSampleSeesMemoryTouchedWhileSampling(t *testing.T) {
	_, before := Read("/proc/self/status")
	if before <= 0 {
		t.Fatalf("RssAnon of this process: %d KiB", before)
	}
	peak, stop := Sample("/proc/self/status")
	buf := make([]byte, 64<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1 // touch every page, so that it is resident
	}
	// The sampler reads once when it starts; one more read now, while buf is live, is certain
	// to see it whatever the ticker did.
	_, during := Read("/proc/self/status")
	stop()
	if during < before+60<<10 {
		t.Fatalf("RssAnon %d KiB before, %d KiB with 64 MiB touched", before, during)
	}
	_ = buf[len(buf)-1]
	if peak.Anon.Load() <= 0 || peak.Total.Load() < peak.Anon.Load() {
		t.Fatalf("peak anon %d KiB, total %d KiB", peak.Anon.Load(), peak.Total.Load())
	}
	if total, anon := Read("/proc/no-such-process/status"); total != 0 || anon != 0 {
		t.Fatalf("a missing process: %d, %d", total, anon)
	}
}
