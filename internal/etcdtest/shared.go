package etcdtest

import (
	"os"
	"sync"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
)

// The shared member: one single-member cluster per test binary for tests that only read and
// write keys, each under a prefix of its own. Tests that change membership or stop members
// start their own with New.
var (
	sharedOnce sync.Once
	shared     *embedetcd.Cluster
	sharedErr  error
	sharedDir  string
)

// Shared returns the test binary's shared one-member cluster, started on first use. A package
// that uses it calls StopShared after m.Run in its TestMain.
func Shared(t testing.TB) *embedetcd.Cluster {
	t.Helper()
	sharedOnce.Do(func() {
		sharedDir, sharedErr = os.MkdirTemp("", "etcdtest-shared-")
		if sharedErr == nil {
			shared, sharedErr = embedetcd.Start(embedetcd.Config{Dir: sharedDir, Size: 1})
		}
	})
	if sharedErr != nil {
		t.Fatalf("shared etcd: %v", sharedErr)
	}
	return shared
}

// StopShared stops the shared cluster, if it was started, and removes its directory.
func StopShared() {
	if shared != nil {
		shared.Close()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
}
