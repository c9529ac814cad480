package main

import (
	"os"
	"strings"
	"testing"
)

func TestDiskprobeRunsWithoutItsSubcommandWordAndExitsOnTheVerdict(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"diskprobe", "--dir", dir, "--size=256k", "--block-size=4k", "--threshold=10s"}, 0, "Verdict: PASS"},
		{[]string{"diskprobe", "--dir", dir, "--size=256k", "--block-size=4k", "--threshold=1ns"}, 1, "Verdict: FAIL"},
		{[]string{"diskprobe", "--dir", dir, "--profile", "nvme"}, 2, `Error: --profile: unknown profile "nvme"`},
	}
	for _, tc := range cases {
		code, out := captureOutput(t, func() int { return run(tc.args) })
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Fatalf("%q: exit %d, output:\n%s\nwant exit %d and %q", tc.args, code, out, tc.code, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left on disk: %v", entries)
	}
}
