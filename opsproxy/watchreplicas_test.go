package opsproxy

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
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

// A replica killed (SIGKILL) with a user's watch open leaves no count behind for long: the
// other replica refuses the user while the killed one's lease holds, and lets them through
// once it has expired, without anything releasing the watch.
func TestWatchCapOfAKilledReplicaExpires(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "etcd-monitor")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/etcd-monitor").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	redis := redistest.Start(t, "")
	dsn := storetest.PostgresDSN(t)
	schema := "opsproxy_killed_" + store.NewID()[:12]
	storetest.DropSchemaAtCleanup(t, dsn, schema)
	st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	extra := fmt.Sprintf("queue:\n  redis_url: %s\n  stream: %s\n  visibility_timeout: 1s\n  workers: 0\nlimits:\n  max_watches_per_user: 1\n",
		redis.URL(), "k"+store.NewID()[:8])
	survivor := newEnv(t, envOptions{st: st, extra: extra})
	alice := survivor.token(t, TokenSpec{Name: "alice", Role: "viewer"})

	raw, err := os.ReadFile(survivor.configPath)
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(t.TempDir(), "killed.yml")
	yml := strings.Replace(string(raw), survivor.configDir, t.TempDir(), -1) + fmt.Sprintf("store:\n  dsn: %s\n  schema: %s\n", dsn, schema)
	if err := os.WriteFile(cfgPath, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeLoopbackAddr(t)
	var logs strings.Builder
	cmd := exec.Command(bin, "opsproxy", "--config.file", cfgPath, "--web.listen-address", addr)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	killed := &env{url: "http://" + addr}
	eventually(t, "the second replica serves", func() bool {
		resp, err := http.Get(killed.url + "/-/healthy")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})
	query := "key=" + url.QueryEscape(uniquePrefix(t)) + "&prefix=true"
	if _, resp := killed.watch(t, alice, query); resp.status != http.StatusOK {
		t.Fatalf("watch on the replica to be killed: %d %s\n%s", resp.status, resp.body, logs.String())
	}
	if w, resp := survivor.watch(t, alice, query); w != nil || resp.status != http.StatusTooManyRequests ||
		!strings.Contains(resp.errorText(t), "across the replicas") {
		t.Fatalf("watch on the survivor with one open on the other replica: %d %s", resp.status, resp.body)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_, _ = cmd.Process.Wait()
	eventually(t, "a watch on the survivor once the killed replica's lease expired", func() bool {
		w, _ := survivor.watch(t, alice, query)
		if w != nil {
			w.close()
		}
		return w != nil
	})
}

// freeLoopbackAddr is a loopback address with a port free at the time of the call.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
