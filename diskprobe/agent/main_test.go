package agent

import (
	"os"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// TestMain lets the member-cost benchmark run its etcd member as a process of its own.
func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	os.Exit(m.Run())
}
