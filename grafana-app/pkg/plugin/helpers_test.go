package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	os.Exit(m.Run())
}

// settings are the app's instance settings as Grafana passes them.
func settings(url, token string) backend.AppInstanceSettings {
	js, _ := json.Marshal(map[string]any{"opsproxyUrl": url})
	s := backend.AppInstanceSettings{JSONData: js, DecryptedSecureJSONData: map[string]string{}}
	if token != "" {
		s.DecryptedSecureJSONData[secureServiceToken] = token
	}
	return s
}

// resource is the answer to one resource call.
type resource struct {
	status  int
	headers map[string][]string
	body    []byte
}

func (r resource) errorText(t *testing.T) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == "" {
		t.Fatalf("answer %d is not an error answer: %s", r.status, r.body)
	}
	return e.Error
}

// call makes a resource call as Grafana does, as the given user (nil: none) of org 1.
func call(t *testing.T, a *App, s backend.AppInstanceSettings, user *backend.User, method, path string, body []byte) resource {
	t.Helper()
	return callInOrg(t, a, s, user, 1, method, path, body)
}

// namespaceOf is the namespace Grafana gives requests of an org.
func namespaceOf(org int64) string {
	if org == 1 {
		return "default"
	}
	return fmt.Sprintf("org-%d", org)
}

// callInOrg is call as a user of the given Grafana org.
func callInOrg(t *testing.T, a *App, s backend.AppInstanceSettings, user *backend.User, org int64, method, path string, body []byte) resource {
	t.Helper()
	req := &backend.CallResourceRequest{
		PluginContext: backend.PluginContext{Namespace: namespaceOf(org), PluginID: ID, User: user, AppInstanceSettings: &s},
		Path:          strings.SplitN(path, "?", 2)[0],
		URL:           path,
		Method:        method,
		Body:          body,
		Headers:       map[string][]string{"Accept": {"application/json"}, "Cookie": {"grafana_session=abc"}},
	}
	var out resource
	err := a.CallResource(context.Background(), req, backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
		if r.Status != 0 {
			out.status, out.headers = r.Status, r.Headers
		}
		out.body = append(out.body, r.Body...)
		return nil
	}))
	if err != nil {
		t.Fatalf("CallResource %s %s: %v", method, path, err)
	}
	return out
}

// testLogger keeps every log line, with its arguments, for the tests to search.
type testLogger struct {
	mu    *sync.Mutex
	buf   *strings.Builder
	attrs []any
}

func newTestLogger() *testLogger { return &testLogger{mu: &sync.Mutex{}, buf: &strings.Builder{}} }

var _ log.Logger = (*testLogger)(nil)

func (l *testLogger) line(level, msg string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.buf, level, msg, append(append([]any{}, l.attrs...), args...))
}
func (l *testLogger) Debug(msg string, args ...any) { l.line("debug", msg, args...) }
func (l *testLogger) Info(msg string, args ...any)  { l.line("info", msg, args...) }
func (l *testLogger) Warn(msg string, args ...any)  { l.line("warn", msg, args...) }
func (l *testLogger) Error(msg string, args ...any) { l.line("error", msg, args...) }
func (l *testLogger) With(args ...any) log.Logger {
	return &testLogger{mu: l.mu, buf: l.buf, attrs: append(append([]any{}, l.attrs...), args...)}
}
func (l *testLogger) Level() log.Level                       { return log.Debug }
func (l *testLogger) FromContext(context.Context) log.Logger { return l }
func (l *testLogger) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
