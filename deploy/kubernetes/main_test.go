package kubernetes

import (
	"os"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	code := m.Run()
	etcdtest.StopShared()
	os.Exit(code)
}
