package diskprobe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// probeDirFor is a fresh directory for one test's probes.
func probeDirFor(t *testing.T) string {
	t.Helper()
	return t.TempDir()
}

// assertNothingLeft fails when dir holds anything but want (a probe must leave nothing).
func assertNothingLeft(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		keep := false
		for _, w := range want {
			keep = keep || e.Name() == w
		}
		if !keep {
			left = append(left, filepath.Join(dir, e.Name()))
		}
	}
	if len(left) > 0 {
		t.Fatalf("probe left on disk: %s", strings.Join(left, ", "))
	}
}

// smallJob is a quick custom job: 64 writes of 4 KiB.
func smallJob() Job {
	return Job{Profile: "custom", BlockSize: 4096, Size: 64 * 4096, Preallocate: 64 * 4096}
}
