package main

import (
	"strings"
	"testing"
)

// `etcd-monitor diskprobe serve` reaches the agent, which names the bad flag and exits 2.
func TestDiskprobeServeIsDispatched(t *testing.T) {
	missing := t.TempDir() + "/nope"
	code, out := captureOutput(t, func() int {
		return run([]string{"diskprobe", "serve", "--dir", missing, "--web.listen-address", "127.0.0.1:0"})
	})
	if code != 2 || !strings.Contains(out, "etcd-monitor diskprobe serve: diskprobe agent: dir: stat "+missing) {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}
