package conns

import (
	"os"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	os.Exit(m.Run())
}

// sharedClient is a client of a one-member cluster of the test's own, closed at cleanup.
func sharedClient(t *testing.T) *clientv3.Client {
	t.Helper()
	return etcdtest.New(t, etcdtest.Config{Size: 1}).Client(t)
}

func uniquePrefix(t testing.TB) string {
	return "/" + strings.ReplaceAll(t.Name(), "/", "_") + "-" + store.NewID()[:6] + "/"
}
