package capture

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestSlackServerRecordsWebhookPayloads(t *testing.T) {
	for _, tc := range []struct {
		name       string
		method     string
		body       string
		wantStatus int
		wantBody   string
		recorded   bool
	}{
		{
			name:   "alertmanager payload",
			method: http.MethodPost,
			body: `{"channel":"#etcd-alerts","username":"etcd-monitor","attachments":[{"title":"[FIRING:1] etcdNoLeader","title_link":"http://grafana/d/x",` +
				`"color":"danger","text":"member m1 has no leader","fallback":"x","actions":[{"type":"button","text":"Runbook","url":"https://r#etcdnoleader"}]}]}`,
			wantStatus: http.StatusOK, wantBody: "ok", recorded: true,
		},
		{name: "not json", method: http.MethodPost, body: "payload=x", wantStatus: http.StatusBadRequest, wantBody: "invalid_payload\n"},
		{name: "not a post", method: http.MethodGet, wantStatus: http.StatusMethodNotAllowed, wantBody: "invalid_request\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSlackServer()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			req, err := http.NewRequest(tc.method, s.URL(), strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus || string(b) != tc.wantBody {
				t.Fatalf("response %d %q, want %d %q", resp.StatusCode, b, tc.wantStatus, tc.wantBody)
			}
			msgs := s.Messages()
			if !tc.recorded {
				if len(msgs) != 0 {
					t.Fatalf("recorded %d messages, want none", len(msgs))
				}
				return
			}
			m, err := s.WaitFor(context.Background(), func(m SlackMessage) bool { return len(m.Attachments) == 1 })
			if err != nil {
				t.Fatal(err)
			}
			a := m.Attachments[0]
			if m.Channel != "#etcd-alerts" || a.Color != "danger" || a.Title != "[FIRING:1] etcdNoLeader" ||
				len(a.Actions) != 1 || a.Actions[0].URL != "https://r#etcdnoleader" || m.Path != "/services/T000/B000/XXXX" {
				t.Fatalf("recorded %+v", m)
			}
		})
	}
}
