//go:build browser

package browsertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// The prefixes the Keys scenarios browse: one to page to its end, one for the speed figures.
const (
	browsePrefix = "/e2e/browse/"
	browseKeys   = 10_000
	bigPrefix    = "/e2e/big/"
	bigKeys      = 100_000
)

// The key the Console page's scenario completes, reads and (as a viewer) is refused to change.
const (
	etcdctlKey   = "/e2e/etcdctl/greeting"
	etcdctlValue = "hello from etcd"
)

// putsPerTxn stays under etcd's default --max-txn-ops (128).
const putsPerTxn = 128

// seedKeys writes n keys prefix+"key-%06d" straight into etcd, putsPerTxn puts per transaction
// and a few transactions at once: opsproxy (and its audit) is not in the way.
func seedKeys(t *testing.T, cli *clientv3.Client, prefix string, n int) {
	t.Helper()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	slots := make(chan struct{}, 4)
	for from := 0; from < n; from += putsPerTxn {
		to := min(from+putsPerTxn, n)
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			ops := make([]clientv3.Op, 0, to-from)
			for i := from; i < to; i++ {
				ops = append(ops, clientv3.OpPut(seedKey(prefix, i), fmt.Sprintf(`{"n":%d}`, i)))
			}
			if _, err := cli.Txn(context.Background()).Then(ops...).Commit(); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("seed %s keys %d-%d: %w", prefix, from, to-1, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// seedKey is the name of the i-th seeded key under prefix.
func seedKey(prefix string, i int) string { return fmt.Sprintf("%skey-%06d", prefix, i) }
