package opsproxy

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Two opsproxy replicas on one store and one Redis: a user at the cap of open watches on one
// is refused (429) on the other, and so for job event streams; once the watch on the first
// ends, the second lets the user through.
func TestWatchCapIsCountedAcrossReplicas(t *testing.T) {
	redis := redistest.Start(t, "")
	st := openStore(t, postgresStore)
	extra := fmt.Sprintf("queue:\n  redis_url: %s\n  stream: %s\n  workers: 0\nlimits:\n  max_watches_per_user: 1\n",
		redis.URL(), "w"+store.NewID()[:8])
	a := newEnv(t, envOptions{st: st, extra: extra, jobKinds: testJobKinds()})
	b := newEnv(t, envOptions{st: st, extra: extra, jobKinds: testJobKinds()})
	alice := a.token(t, TokenSpec{Name: "alice", Role: "admin"})
	query := "key=" + url.QueryEscape(uniquePrefix(t)) + "&prefix=true"

	onA, resp := a.watch(t, alice, query)
	if resp.status != http.StatusOK {
		t.Fatalf("watch on a: %d %s", resp.status, resp.body)
	}
	w, resp := b.watch(t, alice, query)
	if w != nil || resp.status != http.StatusTooManyRequests || !strings.Contains(resp.errorText(t), "user alice has 1 open watches across the replicas") {
		t.Fatalf("watch on b with one open on a: %d %s", resp.status, resp.body)
	}
	onA.close()
	eventually(t, "a watch on b once a's has ended", func() bool {
		w, _ := b.watch(t, alice, query)
		if w != nil {
			w.close()
		}
		return w != nil
	})

	j := a.enqueue(t, alice, map[string]any{"kind": "wait", "cluster": "c1"}, http.StatusAccepted)
	events, resp := a.stream(t, alice, "/api/v1/jobs/"+j.ID+"/events")
	if resp.status != http.StatusOK {
		t.Fatalf("job events on a: %d %s", resp.status, resp.body)
	}
	events.next(t, "job")
	if s, resp := b.stream(t, alice, "/api/v1/jobs/"+j.ID+"/events"); s != nil || resp.status != http.StatusTooManyRequests ||
		!strings.Contains(resp.errorText(t), "open job event streams across the replicas") {
		t.Fatalf("job events on b with a stream open on a: %d %s", resp.status, resp.body)
	}
}
