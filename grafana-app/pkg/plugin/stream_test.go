package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/etcd-monitor/etcd-monitor/grafana-app/internal/opsproxytest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// messageRecorder is the sender Grafana gives RunStream: it keeps every message sent.
type messageRecorder struct {
	raw chan []byte
}

func newMessageRecorder() *messageRecorder { return &messageRecorder{raw: make(chan []byte, 1000)} }

func (r *messageRecorder) Send(p *backend.StreamPacket) error {
	r.raw <- append([]byte(nil), p.Data...)
	return nil
}

// next waits for the next message; the deadline only keeps a broken test from hanging.
func (r *messageRecorder) next(t *testing.T) (streamMessage, string) {
	t.Helper()
	select {
	case raw := <-r.raw:
		var m streamMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("message is not JSON: %v: %s", err, raw)
		}
		return m, string(raw)
	case <-time.After(30 * time.Second):
		t.Fatal("no message from RunStream")
	}
	return streamMessage{}, ""
}

// until reads messages up to the first of event, and answers it and all text read.
func (r *messageRecorder) until(t *testing.T, event string) (streamMessage, string) {
	t.Helper()
	var all strings.Builder
	for {
		m, raw := r.next(t)
		all.WriteString(raw + "\n")
		if m.Event == event {
			return m, all.String()
		}
	}
}

// runStream runs RunStream as Grafana does, until the returned stop is called; stop waits for
// it to end and fails the test if it returned an error.
func runStream(t *testing.T, a *App, s backend.AppInstanceSettings, user *backend.User, path string, data []byte) (*messageRecorder, func()) {
	t.Helper()
	rec := newMessageRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- a.RunStream(ctx, &backend.RunStreamRequest{
			PluginContext: backend.PluginContext{PluginID: ID, User: user, AppInstanceSettings: &s},
			Path:          path,
			Data:          data,
		}, backend.NewStreamSender(rec))
	}()
	return rec, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunStream: %v", err)
		}
	}
}

func subscribe(t *testing.T, a *App, s backend.AppInstanceSettings, user *backend.User, path string, data []byte) (backend.SubscribeStreamStatus, error) {
	t.Helper()
	resp, err := a.SubscribeStream(context.Background(), &backend.SubscribeStreamRequest{
		PluginContext: backend.PluginContext{PluginID: ID, User: user, AppInstanceSettings: &s},
		Path:          path,
		Data:          data,
	})
	if resp == nil {
		t.Fatalf("SubscribeStream answered nil (err %v)", err)
	}
	return resp.Status, err
}

// opsproxyCall calls opsproxy directly with the admin token.
func opsproxyCall(t *testing.T, env *opsproxytest.Env, method, path, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, env.URL+"/api/v1"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+env.Admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s %v", method, path, resp.Status, out)
	}
	return out
}

func TestWatchStreamSendsTheRangesEventsToItsUser(t *testing.T) {
	env := opsproxytest.New(t)
	s := settings(env.URL, env.Service)
	logs := newTestLogger()
	a := newApp(s, logs)
	alice := &backend.User{Login: "alice", Role: "Viewer"}
	path, pathData := channelOf("alice", "tab1", watchSpec{Cluster: "c1", Key: "/app/", Prefix: true, PrevKV: true})

	if st, err := subscribe(t, a, s, alice, path, pathData); err != nil || st != backend.SubscribeStreamStatusOK {
		t.Fatalf("alice subscribing to her watch: %v %v", st, err)
	}
	rec, stop := runStream(t, a, s, alice, path, pathData)
	_, text := rec.until(t, "open")
	opsproxyCall(t, env, http.MethodPut, "/clusters/c1/keys", `{"key":"/other/x","value":"not watched"}`)
	opsproxyCall(t, env, http.MethodPut, "/clusters/c1/keys", `{"key":"/app/a","value":"1"}`)
	opsproxyCall(t, env, http.MethodPut, "/clusters/c1/keys", `{"key":"/app/a","value":"2"}`)
	opsproxyCall(t, env, http.MethodDelete, "/clusters/c1/keys?key=/app/a", "")

	var got []string
	for len(got) < 3 {
		m, raw := rec.next(t)
		text += raw
		if m.Event == "progress" {
			continue
		}
		var ev struct {
			Type string `json:"type"`
			KV   struct {
				Key   string `json:"key"`
				Value string `json:"value"`
			} `json:"kv"`
			PrevKV *struct {
				Value string `json:"value"`
			} `json:"prev_kv"`
		}
		if err := json.Unmarshal(m.Data, &ev); err != nil {
			t.Fatalf("event data: %v: %s", err, raw)
		}
		if m.Event != ev.Type || m.ID == 0 {
			t.Errorf("message %s: want the event named as its type, with the revision as id", raw)
		}
		entry := ev.Type + " " + ev.KV.Key + "=" + ev.KV.Value
		if ev.PrevKV != nil {
			entry += " (was " + ev.PrevKV.Value + ")"
		}
		got = append(got, entry)
	}
	stop()
	want := []string{"put /app/a=1", "put /app/a=2 (was 1)", "delete /app/a= (was 2)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events %q, want %q", got, want)
	}
	assertNoSecret(t, env.Service, "stream messages", text)
	assertNoSecret(t, env.Service, "plugin log", logs.String())
}

func TestWatchStreamResumesAfterTheLastRevisionSent(t *testing.T) {
	env := opsproxytest.New(t)
	s := settings(env.URL, env.Service)
	a := newApp(s, newTestLogger())
	alice := &backend.User{Login: "alice", Role: "Viewer"}
	first := opsproxyCall(t, env, http.MethodPut, "/clusters/c1/keys", `{"key":"/r/a","value":"1"}`)
	opsproxyCall(t, env, http.MethodPut, "/clusters/c1/keys", `{"key":"/r/a","value":"2"}`)

	// A reconnection after the first put's revision gets the second put and not the first.
	lastID := int64(first["header"].(map[string]any)["revision"].(float64))
	rec := newMessageRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := a.watchOnce(ctx, alice, watchSpec{Cluster: "c1", Key: "/r/a", StartRevision: 1}, &lastID, backend.NewStreamSender(rec))
		done <- err
	}()
	m, _ := rec.until(t, "put")
	cancel()
	<-done
	if !strings.Contains(string(m.Data), `"value":"2"`) {
		t.Errorf("first event after resuming: %s, want the put of 2", m.Data)
	}
	if lastID != m.ID {
		t.Errorf("last revision sent %d, want the event's %d", lastID, m.ID)
	}
}

func TestWatchStreamReconnectsWhenTheConnectionToOpsproxyDrops(t *testing.T) {
	env := opsproxytest.New(t)
	target, _ := url.Parse(env.URL)
	// A proxy in front of opsproxy whose connections the test cuts.
	front := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	defer front.Close()
	s := settings(front.URL, env.Service)
	a := newApp(s, newTestLogger())
	alice := &backend.User{Login: "alice", Role: "Viewer"}
	path, pathData := channelOf("alice", "t", watchSpec{Cluster: "c1", Key: "/d/", Prefix: true})
	rec, stop := runStream(t, a, s, alice, path, pathData)
	defer stop()
	rec.until(t, "open")
	opsproxyCall(t, env, http.MethodPut, "/clusters/c1/keys", `{"key":"/d/before","value":"1"}`)
	rec.until(t, "put")

	front.CloseClientConnections()
	m, _ := rec.until(t, "error")
	if !m.Retrying {
		t.Errorf("a dropped connection: %+v, want a retrying error", m)
	}
	opsproxyCall(t, env, http.MethodPut, "/clusters/c1/keys", `{"key":"/d/while-away","value":"2"}`)
	rec.until(t, "open")
	m, raw := rec.until(t, "put")
	if !strings.Contains(string(m.Data), "/d/while-away") {
		t.Errorf("first put after reconnecting: %s, want the put made while away (and not the one before)", raw)
	}
}

func TestWatchChannelIsRefusedToOtherUsersAndToUsersWithoutRole(t *testing.T) {
	env := opsproxytest.New(t)
	s := settings(env.URL, env.Service)
	logs := newTestLogger()
	a := newApp(s, logs)
	alicesWatch, alicesWatchData := channelOf("alice", "tab1", watchSpec{Cluster: "c1", Key: "/app/", Prefix: true})
	for _, user := range []*backend.User{
		{Login: "bob", Role: "Admin"},
		{Login: "alice", Role: "None"},
		{Login: "alice", Role: ""},
		nil,
	} {
		st, err := subscribe(t, a, s, user, alicesWatch, alicesWatchData)
		if err != nil || st != backend.SubscribeStreamStatusPermissionDenied {
			t.Errorf("user %+v subscribing to alice's watch: %v %v, want PermissionDenied", user, st, err)
		}
	}
	// Grafana runs the stream for a subscriber it let in; should it ever run alice's channel as
	// bob, bob gets a refusal and none of alice's range.
	rec, stop := runStream(t, a, s, &backend.User{Login: "bob", Role: "Admin"}, alicesWatch, alicesWatchData)
	m, _ := rec.next(t)
	stop()
	if m.Event != "error" || m.Status != http.StatusForbidden || !strings.Contains(m.Error, "not yours") {
		t.Errorf("RunStream of alice's channel as bob: %+v", m)
	}
	if r, err := a.PublishStream(context.Background(), &backend.PublishStreamRequest{Path: alicesWatch}); err != nil || r.Status != backend.PublishStreamStatusPermissionDenied {
		t.Errorf("PublishStream: %+v %v, want PermissionDenied", r, err)
	}
	assertNoSecret(t, env.Service, "plugin log", logs.String())
}

func TestWatchSubscribeChecksTheUsersReadRightsWithOpsproxy(t *testing.T) {
	env := opsproxytest.New(t)
	// A service token scoped to another cluster: opsproxy refuses its users' reads of c1.
	elsewhere := env.Token(t, opsproxy.TokenSpec{Name: "grafana-elsewhere", Role: "admin", Clusters: []string{"elsewhere"}, ActsForUsers: true})
	s := settings(env.URL, elsewhere)
	a := newApp(s, newTestLogger())
	alice := &backend.User{Login: "alice", Role: "Admin"}
	path, pathData := channelOf("alice", "t", watchSpec{Cluster: "c1", Key: "/app/", Prefix: true})
	st, err := subscribe(t, a, s, alice, path, pathData)
	if err != nil || st != backend.SubscribeStreamStatusPermissionDenied {
		t.Errorf("subscribing through a token scoped elsewhere: %v %v, want PermissionDenied", st, err)
	}

	s = settings(env.URL, env.Service)
	a = newApp(s, newTestLogger())
	unknown, unknownData := channelOf("alice", "t", watchSpec{Cluster: "nope", Key: "/app/"})
	oversized, oversizedData := channelOf("alice", "t", watchSpec{Cluster: "c1", Key: strings.Repeat("k", 20<<10)})
	for name, ch := range map[string]struct {
		path string
		data []byte
	}{
		"unknown cluster": {unknown, unknownData},
		"bad channel":     {"watch/YWxpY2U/t", []byte("not json")},
		"oversized key":   {oversized, oversizedData},
	} {
		if st, err := subscribe(t, a, s, alice, ch.path, ch.data); err != nil || st != backend.SubscribeStreamStatusNotFound {
			t.Errorf("%s: %v %v, want NotFound", name, st, err)
		}
	}
}

func TestWatchStreamReportsACompactedStartRevision(t *testing.T) {
	env := opsproxytest.New(t)
	s := settings(env.URL, env.Service)
	a := newApp(s, newTestLogger())
	for i := range 3 {
		opsproxyCall(t, env, http.MethodPut, "/clusters/c1/keys", `{"key":"/c/k","value":"`+string(rune('a'+i))+`"}`)
	}
	compacted := opsproxyCall(t, env, http.MethodPost, "/clusters/c1/compact", `{"keep":1}`)
	alice := &backend.User{Login: "alice", Role: "Viewer"}
	path, pathData := channelOf("alice", "t", watchSpec{Cluster: "c1", Key: "/c/k", StartRevision: 2})
	if st, err := subscribe(t, a, s, alice, path, pathData); err != nil || st != backend.SubscribeStreamStatusOK {
		t.Fatalf("subscribe: %v %v", st, err)
	}
	rec, stop := runStream(t, a, s, alice, path, pathData)
	m, _ := rec.until(t, "compacted")
	var data struct {
		CompactRevision float64 `json:"compact_revision"`
	}
	_ = json.Unmarshal(m.Data, &data)
	if data.CompactRevision != compacted["compacted_to"].(float64) || !strings.Contains(m.Error, "revision 2 is compacted") {
		t.Errorf("compacted message %+v, want compact_revision %v and the explanation", m, compacted["compacted_to"])
	}
	stop()
}

func TestWatchSaysWhenOpsproxyIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	const secret = "emt_this-token-must-not-leak"
	s := settings(url, secret)
	logs := newTestLogger()
	a := newApp(s, logs)
	alice := &backend.User{Login: "alice", Role: "Viewer"}
	path, pathData := channelOf("alice", "t", watchSpec{Cluster: "c1", Key: "/app/", Prefix: true})

	_, err = subscribe(t, a, s, alice, path, pathData)
	if err == nil || !strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), url) {
		t.Errorf("subscribing with opsproxy down: %v, want an error saying opsproxy at %s is unreachable", err, url)
	}
	rec, stop := runStream(t, a, s, alice, path, pathData)
	m, raw := rec.next(t)
	stop()
	if m.Event != "error" || !m.Retrying || !strings.Contains(m.Error, "unreachable") {
		t.Errorf("RunStream with opsproxy down: %s, want a retrying error saying opsproxy is unreachable", raw)
	}
	var all bytes.Buffer
	all.WriteString(raw)
	if err != nil {
		all.WriteString(err.Error())
	}
	assertNoSecret(t, secret, "messages", all.String())
	assertNoSecret(t, secret, "plugin log", logs.String())
}
