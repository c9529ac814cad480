package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinksOnlyTheClientSide keeps the reason this binary exists: every package linked runs
// its initialisation at each start, and the suite's server packages (etcd's server, the
// exporter, opsproxy) cost a one-shot command more than the command itself.
func TestLinksOnlyTheClientSide(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, heavy := range []string{"go.etcd.io/etcd/server/", "github.com/etcd-monitor/etcd-monitor/opsproxy", "github.com/etcd-monitor/etcd-monitor/exporter", "github.com/etcd-monitor/etcd-monitor/internal/store", "google.golang.org/grpc"} {
			if strings.HasPrefix(pkg, heavy) {
				t.Errorf("etcd-monitor-ctl links %s", pkg)
			}
		}
	}
}

func TestNamesAFlagItDoesNotKnow(t *testing.T) {
	if code := run([]string{"--url"}); code != 2 {
		t.Fatalf("--url without a value: exit %d, want 2", code)
	}
}
