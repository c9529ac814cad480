package opsproxy

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// merged, and checks every answer against etcd.
func TestConcurrentPutsAndGetsThroughTheAPI(t *testing.T) {
	e := newEnv(t, envOptions{store: boltStore})
	editor := e.token(t, TokenSpec{Name: "ed", Role: "editor"})
	p := uniquePrefix(t)
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("%sk%02d", p, i%10)
			r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", editor, map[string]any{"key": key, "value": fmt.Sprint(i)})
			if r.status != http.StatusOK {
				t.Errorf("put %d: %d %s", i, r.status, r.body)
			}
			g := e.call(t, "GET", "/api/v1/clusters/c1/keys?key="+key, editor, nil)
			var got getResponse
			g.json(t, &got)
			if g.status != http.StatusOK || len(got.KVs) != 1 || got.KVs[0].ModRevision == 0 || got.Header.Revision < got.KVs[0].ModRevision {
				t.Errorf("get %d after its put: %d %s", i, g.status, g.body)
			}
		})
	}
	wg.Wait()
	cli := e.etcdClient(t)
	resp, err := cli.Get(context.Background(), p, clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 10 {
		t.Fatalf("%d keys, want 10", len(resp.Kvs))
	}
	for _, kv := range resp.Kvs {
		if kv.Version != n/10 {
			t.Errorf("%s has version %d, want %d (one per put)", kv.Key, kv.Version, n/10)
		}
	}
	// Every put was audited on its own (outcomes are committed in the background).
	puts := 0
	for deadline := time.Now().Add(10 * time.Second); puts != n && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		puts = 0
		for _, rec := range e.allAudit(t) {
			if rec.Operation == "keys.put" && rec.Outcome == "succeeded" && strings.HasPrefix(string(rec.Key), p) {
				puts++
			}
		}
	}
	if puts != n {
		t.Errorf("%d successful puts audited, want %d", puts, n)
	}
}
