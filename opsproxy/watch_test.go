package opsproxy

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

// sseEvent is one Server-Sent Event as a client sees it.
type sseEvent struct {
	id    string
	name  string
	data  string
	watch watchEvent
}

// sseStream is an open watch.
type sseStream struct {
	resp   *http.Response
	events chan sseEvent
	cancel context.CancelFunc
}

func (e *env) watch(t *testing.T, token, query string, headers ...string) (*sseStream, response) {
	t.Helper()
	return e.stream(t, token, "/api/v1/clusters/c1/watch?"+query, headers...)
}

// stream opens an event stream of the API at path.
func (e *env) stream(t *testing.T, token, path string, headers ...string) (*sseStream, response) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", e.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		defer cancel()
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
		return nil, response{status: resp.StatusCode, header: resp.Header, body: []byte(b.String())}
	}
	s := &sseStream{resp: resp, events: make(chan sseEvent, 1000), cancel: cancel}
	t.Cleanup(s.close)
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					_ = json.Unmarshal([]byte(ev.data), &ev.watch)
					s.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	return s, response{status: 200, header: resp.Header}
}

func (s *sseStream) close() {
	s.cancel()
	s.resp.Body.Close()
}

// next returns the next event of one of the given names, skipping others.
func (s *sseStream) next(t *testing.T, names ...string) sseEvent {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatalf("stream ended while waiting for %v", names)
			}
			for _, n := range names {
				if ev.name == n {
					return ev
				}
			}
		case <-timeout:
			t.Fatalf("no %v event", names)
		}
	}
}

func TestWatchStreamsFromARevisionAndResumesFromLastEventID(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	cli := e.etcdClient(t)
	ctx := context.Background()
	first, err := cli.Put(ctx, p+"a", "1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Put(ctx, p+"b", "2"); err != nil {
		t.Fatal(err)
	}
	q := url.Values{"key": {p}, "prefix": {"true"}, "start_revision": {fmt.Sprint(first.Header.Revision)}, "prev_kv": {"true"}}.Encode()
	w, r := e.watch(t, e.admin, q)
	if w == nil {
		t.Fatalf("watch: %d %s", r.status, r.body)
	}
	if r.header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", r.header.Get("Content-Type"))
	}
	ev := w.next(t, "put", "delete")
	if *ev.watch.KV.Key != p+"a" || ev.id != fmt.Sprint(first.Header.Revision) {
		t.Fatalf("first event %+v", ev)
	}
	ev = w.next(t, "put", "delete")
	if *ev.watch.KV.Key != p+"b" {
		t.Fatalf("second event %+v", ev)
	}
	resumeFrom := ev.id
	if _, err := cli.Delete(ctx, p+"a"); err != nil {
		t.Fatal(err)
	}
	ev = w.next(t, "put", "delete")
	if ev.name != "delete" || *ev.watch.KV.Key != p+"a" || ev.watch.PrevKV == nil || *ev.watch.PrevKV.Value != "1" {
		t.Fatalf("delete event %+v", ev)
	}
	w.close()

	// Resuming after the second event delivers the delete and nothing before it.
	w2, r := e.watch(t, e.admin, q, "Last-Event-ID", resumeFrom)
	if w2 == nil {
		t.Fatalf("resume: %d %s", r.status, r.body)
	}
	ev = w2.next(t, "put", "delete")
	if ev.name != "delete" || *ev.watch.KV.Key != p+"a" {
		t.Fatalf("first event after resume %+v", ev)
	}
}

func TestWatchSendsProgressWithTheRevision(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) { c.Watch.ProgressInterval = model.Duration(50 * time.Millisecond) }})
	p := uniquePrefix(t)
	w, r := e.watch(t, e.admin, url.Values{"key": {p}, "prefix": {"true"}}.Encode())
	if w == nil {
		t.Fatalf("watch: %d %s", r.status, r.body)
	}
	ev := w.next(t, "progress")
	rev, err := strconv.ParseInt(ev.id, 10, 64)
	if err != nil || rev <= 0 || !strings.Contains(ev.data, ev.id) {
		t.Fatalf("progress event %+v", ev)
	}
}

func TestWatchFromACompactedRevisionSaysSo(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	cli := e.etcdClient(t)
	ctx := context.Background()
	old, err := cli.Put(ctx, p+"a", "1")
	if err != nil {
		t.Fatal(err)
	}
	now, err := cli.Put(ctx, p+"a", "2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Compact(ctx, now.Header.Revision); err != nil {
		t.Fatal(err)
	}
	w, r := e.watch(t, e.admin, url.Values{"key": {p + "a"}, "start_revision": {fmt.Sprint(old.Header.Revision)}}.Encode())
	if w == nil {
		t.Fatalf("watch: %d %s", r.status, r.body)
	}
	ev := w.next(t, "compacted", "put")
	if ev.name != "compacted" || !strings.Contains(ev.data, fmt.Sprintf(`"compact_revision":%d`, now.Header.Revision)) {
		t.Fatalf("event %+v, want compacted at %d", ev, now.Header.Revision)
	}
}

func TestWatchesPerUserAreCapped(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) { c.Limits.MaxWatchesPerUser = 2 }})
	service := e.token(t, TokenSpec{Name: "grafana", Role: "viewer", ActsForUsers: true})
	q := url.Values{"key": {uniquePrefix(t)}, "prefix": {"true"}}.Encode()
	as := func(user string) []string { return []string{DefaultUserHeader, user, DefaultRoleHeader, "Viewer"} }
	for range 2 {
		if w, r := e.watch(t, service, q, as("alice")...); w == nil {
			t.Fatalf("watch: %d %s", r.status, r.body)
		}
	}
	_, r := e.watch(t, service, q, as("alice")...)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.errorText(t), "user alice has 2 open watches") {
		t.Fatalf("third watch of alice: %d %s", r.status, r.body)
	}
	if w, r := e.watch(t, service, q, as("bob")...); w == nil {
		t.Fatalf("bob's watch refused: %d %s", r.status, r.body)
	}
}

// A service token carries the watches of every user it acts for, and the server of every
// token: each is capped too (limits.max_watches_per_token, limits.max_watches_total), with a
// 429, and a reload changes the caps.
func TestWatchesPerTokenAndInTotalAreCapped(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) {
		c.Limits.MaxWatchesPerUser, c.Limits.MaxWatchesPerToken, c.Limits.MaxWatchesTotal = 2, 3, 4
	}})
	service := e.token(t, TokenSpec{Name: "grafana", Role: "viewer", ActsForUsers: true})
	other := e.token(t, TokenSpec{Name: "other", Role: "viewer"})
	q := url.Values{"key": {uniquePrefix(t)}, "prefix": {"true"}}.Encode()
	as := func(user string) []string { return []string{DefaultUserHeader, user, DefaultRoleHeader, "Viewer"} }
	open := func(token string, headers ...string) {
		t.Helper()
		w, r := e.watch(t, token, q, headers...)
		if w == nil {
			t.Fatalf("watch refused: %d %s", r.status, r.body)
		}
		t.Cleanup(w.close)
	}
	refused := func(token, want string, headers ...string) {
		t.Helper()
		w, r := e.watch(t, token, q, headers...)
		if w != nil {
			w.close()
			t.Fatalf("watch accepted, want a 429 saying %q", want)
		}
		if r.status != http.StatusTooManyRequests || !strings.Contains(r.errorText(t), want) {
			t.Fatalf("watch: %d %s, want 429 with %q", r.status, r.body, want)
		}
	}
	for _, user := range []string{"alice", "bob", "carol"} {
		open(service, as(user)...)
	}
	refused(service, "has 3 open watches, the most allowed", as("dave")...)
	open(other)
	refused(other, "the server has 4 open watches, the most allowed")

	e.rewrite(t, entry("c1", e.etcd, "5s"), "limits:\n  max_watches_per_user: 2\n  max_watches_per_token: 4\n  max_watches_total: 6\n")
	if r, _ := e.reload(t); r.status != 200 {
		t.Fatalf("reload: %d %s", r.status, r.body)
	}
	open(service, as("dave")...)
	refused(service, "has 4 open watches, the most allowed", as("erin")...)
	open(other)
	refused(other, "the server has 6 open watches, the most allowed")
}
