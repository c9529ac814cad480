package conns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// queuedBatch fills a batcher's queue with ops, in order, while its flights are taken, so
// that landed() then sends them as batches; it returns a function that lands the held
// flights and waits for every answer.
func queuedBatch(t *testing.T, b *Batcher, cli *clientv3.Client, ops []clientv3.Op) func() ([]OpResult, []error) {
	t.Helper()
	b.mu.Lock()
	b.flights = b.maxFlights
	b.mu.Unlock()
	res, errs := make([]OpResult, len(ops)), make([]error, len(ops))
	var wg sync.WaitGroup
	for i, op := range ops {
		wg.Go(func() { res[i], errs[i] = b.Do(t.Context(), cli, op) })
		deadline := time.Now().Add(10 * time.Second)
		for {
			b.mu.Lock()
			n := len(b.queue)
			b.mu.Unlock()
			if n == i+1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("request %d never queued", i)
			}
			time.Sleep(time.Millisecond)
		}
	}
	return func() ([]OpResult, []error) {
		for range b.maxFlights {
			b.landed()
		}
		wg.Wait()
		// The last call lands just after it answers.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			b.mu.Lock()
			flights, queued := b.flights, len(b.queue)
			b.mu.Unlock()
			if flights == 0 && queued == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("after the batches: %d flights, %d queued; want none", flights, queued)
				break
			}
		}
		return res, errs
	}
}

func TestWriteBatcherMergesPutsIntoOneRevision(t *testing.T) {
	cli := sharedClient(t)
	p := uniquePrefix(t)
	b := newWriteBatcher(5*time.Second, config.DefaultMaxRequestBytes-RequestOverhead)
	b.maxFlights = 1
	var ops []clientv3.Op
	for i := range 10 {
		ops = append(ops, clientv3.OpPut(fmt.Sprintf("%sk%d", p, i), fmt.Sprint("v", i), clientv3.WithPrevKV()))
	}
	// Two puts to one key never share a transaction: the later one goes in the next batch,
	// after the earlier, and wins.
	ops = append(ops, clientv3.OpPut(p+"k0", "again", clientv3.WithPrevKV()))
	res, errs := queuedBatch(t, b, cli, ops)()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	rev := res[0].Put.Header.Revision
	for i := range 10 {
		if got := res[i].Put.Header.Revision; got != rev {
			t.Errorf("put %d at revision %d, want the batch's %d", i, got, rev)
		}
		if res[i].Put.PrevKv != nil {
			t.Errorf("put %d: prev_kv %q for a new key", i, res[i].Put.PrevKv.Value)
		}
	}
	last := res[10].Put
	if last.Header.Revision != rev+1 || last.PrevKv == nil || string(last.PrevKv.Value) != "v0" {
		t.Errorf("second put to k0: revision %d (want %d), prev_kv %v (want v0)", last.Header.Revision, rev+1, last.PrevKv)
	}
	got, err := cli.Get(t.Context(), p, clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{p + "k0": "again"}
	for i := 1; i < 10; i++ {
		want[fmt.Sprintf("%sk%d", p, i)] = fmt.Sprint("v", i)
	}
	if len(got.Kvs) != len(want) {
		t.Fatalf("%d keys in etcd, want %d", len(got.Kvs), len(want))
	}
	for _, kv := range got.Kvs {
		if want[string(kv.Key)] != string(kv.Value) {
			t.Errorf("%s = %q, want %q", kv.Key, kv.Value, want[string(kv.Key)])
		}
	}
}

func TestWriteBatcherGivesEachPutItsOwnRefusal(t *testing.T) {
	cli := sharedClient(t)
	p := uniquePrefix(t)
	b := newWriteBatcher(5*time.Second, config.DefaultMaxRequestBytes-RequestOverhead)
	b.maxFlights = 1
	// A lease that does not exist makes etcd refuse the whole transaction before applying
	// it; the batcher then sends each put alone, so only that put fails.
	ops := []clientv3.Op{
		clientv3.OpPut(p+"a", "1"),
		clientv3.OpPut(p+"b", "2", clientv3.WithLease(0x7fffabcd)),
		clientv3.OpPut(p+"c", "3"),
	}
	_, errs := queuedBatch(t, b, cli, ops)()
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("puts without the lease: %v, %v", errs[0], errs[2])
	}
	if !errors.Is(errs[1], rpctypes.ErrLeaseNotFound) {
		t.Fatalf("put with a missing lease: %v, want %v", errs[1], rpctypes.ErrLeaseNotFound)
	}
	got, err := cli.Get(t.Context(), p, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Kvs) != 2 {
		t.Fatalf("%d keys written, want a and c", len(got.Kvs))
	}
}

func TestWriteBatcherKeepsTransactionsUnderTheRequestSize(t *testing.T) {
	cli := sharedClient(t)
	p := uniquePrefix(t)
	var ops []clientv3.Op
	for i := range 5 {
		ops = append(ops, clientv3.OpPut(fmt.Sprintf("%sk%d", p, i), strings.Repeat("x", 400)))
	}
	// Room for two and a half puts: two per transaction at most.
	one := len(ops[0].KeyBytes()) + len(ops[0].ValueBytes()) + opFraming
	b := newWriteBatcher(5*time.Second, one*5/2)
	b.maxFlights = 1
	res, errs := queuedBatch(t, b, cli, ops)()
	revs := map[int64]int{}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
		revs[res[i].Put.Header.Revision]++
	}
	if len(revs) != 3 {
		t.Errorf("five puts, two per transaction, took %d revisions (%v), want 3", len(revs), revs)
	}
}

func TestReadBatcherAnswersEachRead(t *testing.T) {
	cli := sharedClient(t)
	p := uniquePrefix(t)
	first, err := cli.Put(t.Context(), p+"a", "old")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Put(t.Context(), p+"a", "new"); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Put(t.Context(), p+"b", "bee"); err != nil {
		t.Fatal(err)
	}
	b := newReadBatcher(5 * time.Second)
	b.maxFlights = 1
	ops := []clientv3.Op{
		clientv3.OpGet(p + "a"),
		clientv3.OpGet(p+"a", clientv3.WithRev(first.Header.Revision)),
		clientv3.OpGet(p+"b", clientv3.WithSerializable()),
		clientv3.OpGet(p + "missing"),
		clientv3.OpGet(p+"b", clientv3.WithKeysOnly()),
	}
	res, errs := queuedBatch(t, b, cli, ops)()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	value := func(i int) string {
		if len(res[i].Get.Kvs) != 1 {
			return fmt.Sprintf("%d keys", len(res[i].Get.Kvs))
		}
		return string(res[i].Get.Kvs[0].Value)
	}
	for i, want := range []string{"new", "old", "bee", "0 keys", ""} {
		if got := value(i); got != want {
			t.Errorf("read %d: %q, want %q", i, got, want)
		}
		if h := res[i].Get.Header; h == nil || h.ClusterId == 0 || h.Revision == 0 {
			t.Errorf("read %d: header %v lacks cluster id or revision", i, h)
		}
	}
}

func TestReadBatcherGivesEachReadItsOwnError(t *testing.T) {
	cli := sharedClient(t)
	p := uniquePrefix(t)
	if _, err := cli.Put(t.Context(), p+"a", "1"); err != nil {
		t.Fatal(err)
	}
	b := newReadBatcher(5 * time.Second)
	b.maxFlights = 1
	// A future revision fails the whole transaction; each read is then sent alone.
	ops := []clientv3.Op{
		clientv3.OpGet(p + "a"),
		clientv3.OpGet(p+"a", clientv3.WithRev(1<<40)),
		clientv3.OpGet(p + "a"),
	}
	res, errs := queuedBatch(t, b, cli, ops)()
	if errs[0] != nil || errs[2] != nil || len(res[0].Get.Kvs) != 1 || len(res[2].Get.Kvs) != 1 {
		t.Fatalf("plain reads: %v, %v", errs[0], errs[2])
	}
	if !errors.Is(errs[1], rpctypes.ErrFutureRev) {
		t.Fatalf("read at a future revision: %v, want %v", errs[1], rpctypes.ErrFutureRev)
	}
}

// TestConcurrentPutsAndGetsThroughTheAPI sends many puts and reads at once, so that they are
func TestMergeConcurrentWritesCanBeSwitchedOff(t *testing.T) {
	off := false
	for _, tc := range []struct {
		limits config.LimitsConfig
		merged bool
	}{{config.LimitsConfig{MaxRequestBytes: config.DefaultMaxRequestBytes}, true}, {config.LimitsConfig{MaxRequestBytes: config.DefaultMaxRequestBytes, MergeConcurrentWrites: &off}, false}} {
		conn, err := New(clusterconfig.Cluster{Name: "a", Endpoints: []string{"http://127.0.0.1:1"},
			DialTimeout: model.Duration(time.Second), RequestTimeout: model.Duration(time.Second)}, tc.limits, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		if merged := conn.writes != nil; merged != tc.merged {
			t.Errorf("merge_concurrent_writes %v: puts merged %v, want %v", tc.limits.MergeConcurrentWrites, merged, tc.merged)
		}
		conn.Close()
	}
}

func TestWriteBatcherDropsPutsWhoseCallerGaveUp(t *testing.T) {
	cli := sharedClient(t)
	p := uniquePrefix(t)
	b := newWriteBatcher(5*time.Second, config.DefaultMaxRequestBytes-RequestOverhead)
	b.maxFlights = 1
	b.flights = 1 // a call is in flight
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := b.Do(ctx, cli, clientv3.OpPut(p+"late", "x"))
		errc <- err
	}()
	for queued := false; !queued; time.Sleep(time.Millisecond) {
		b.mu.Lock()
		queued = len(b.queue) == 1
		b.mu.Unlock()
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("put whose caller gave up: %v, want %v", err, context.Canceled)
	}
	b.landed()
	b.mu.Lock()
	flights, queued := b.flights, len(b.queue)
	b.mu.Unlock()
	if flights != 0 || queued != 0 {
		t.Fatalf("after landing: %d flights, %d queued; want none", flights, queued)
	}
	resp, err := cli.Get(t.Context(), p+"late")
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 0 {
		t.Fatalf("the dropped put was applied: %q", resp.Kvs[0].Value)
	}
}

func TestReadBatcherKeepsSerializableReadsApart(t *testing.T) {
	b := newReadBatcher(time.Second)
	for _, op := range []clientv3.Op{clientv3.OpGet("a"), clientv3.OpGet("b", clientv3.WithSerializable()),
		clientv3.OpGet("c"), clientv3.OpGet("d", clientv3.WithSerializable())} {
		b.queue = append(b.queue, &batchedOp{ctx: t.Context(), op: op, done: make(chan struct{})})
	}
	keys := func(ops []*batchedOp) (out string) {
		for _, r := range ops {
			out += string(r.op.KeyBytes())
		}
		return out
	}
	// A serializable read must still be answered by a member without a leader, so it never
	// waits in a linearizable transaction.
	for _, want := range []string{"ac", "bd"} {
		if got := keys(b.takeLocked()); got != want {
			t.Errorf("batch %q, want %q", got, want)
		}
	}
	if len(b.queue) != 0 {
		t.Errorf("%d reads left queued", len(b.queue))
	}
}
