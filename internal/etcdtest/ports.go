package etcdtest

import (
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
)

// FreePort returns a loopback port for an etcd member that a test starts itself. No other test
// process gets it while this one runs (see internal/embedetcd); it fails the test on error.
func FreePort(t testing.TB) int {
	t.Helper()
	port, err := embedetcd.FreePort()
	if err != nil {
		t.Fatalf("etcdtest: %v", err)
	}
	return port
}
