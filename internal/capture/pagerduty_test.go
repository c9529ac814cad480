package capture

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestPagerDutyServerAcceptsValidEventsOnly(t *testing.T) {
	for _, tc := range []struct {
		name         string
		body         string
		wantStatus   int
		wantDedupKey string // "" means any non-empty key
		wantError    string
	}{
		{
			name: "trigger",
			body: `{"routing_key":"0123456789abcdef0123456789abcdef","event_action":"trigger","dedup_key":"k1","client":"etcd-monitor",` +
				`"payload":{"summary":"etcdNoLeader prod","source":"am","severity":"critical","component":"m1:2379","group":"prod","class":"etcdNoLeader","custom_details":{"cluster":"prod"}}}`,
			wantStatus: http.StatusAccepted, wantDedupKey: "k1",
		},
		{
			name:       "trigger without dedup key gets one",
			body:       `{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"am","severity":"warning"}}`,
			wantStatus: http.StatusAccepted,
		},
		{name: "resolve", body: `{"routing_key":"k","event_action":"resolve","dedup_key":"k1"}`, wantStatus: http.StatusAccepted, wantDedupKey: "k1"},
		{name: "missing routing key", body: `{"event_action":"trigger","payload":{"summary":"s","source":"am","severity":"critical"}}`, wantStatus: http.StatusBadRequest, wantError: "'routing_key' is missing."},
		{name: "bad severity", body: `{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"am","severity":"page"}}`, wantStatus: http.StatusBadRequest, wantError: "'payload.severity' is invalid"},
		{name: "resolve without dedup key", body: `{"routing_key":"k","event_action":"resolve"}`, wantStatus: http.StatusBadRequest, wantError: "'dedup_key' is required"},
		{name: "not json", body: `{`, wantStatus: http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewPagerDutyServer()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			resp, err := http.Post(s.URL(), "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got struct {
				Status   string   `json:"status"`
				Message  string   `json:"message"`
				DedupKey string   `json:"dedup_key"`
				Errors   []string `json:"errors"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d (%+v), want %d", resp.StatusCode, got, tc.wantStatus)
			}
			if tc.wantStatus != http.StatusAccepted {
				if got.Status != "invalid event" || !strings.Contains(strings.Join(got.Errors, " "), tc.wantError) {
					t.Fatalf("response %+v, want invalid event with %q", got, tc.wantError)
				}
				if n := len(s.Events()); n != 0 {
					t.Fatalf("recorded %d invalid events", n)
				}
				return
			}
			if got.Status != "success" || got.Message != "Event processed" || got.DedupKey == "" ||
				(tc.wantDedupKey != "" && got.DedupKey != tc.wantDedupKey) {
				t.Fatalf("response %+v", got)
			}
			e, err := s.WaitFor(context.Background(), func(e PagerDutyEvent) bool { return e.DedupKey == got.DedupKey })
			if err != nil {
				t.Fatal(err)
			}
			if len(e.Raw) == 0 || e.RoutingKey == "" {
				t.Fatalf("recorded %+v", e)
			}
		})
	}
}

func TestPagerDutyServerOnlyServesEnqueue(t *testing.T) {
	s, err := NewPagerDutyServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	resp, err := http.Post(strings.Replace(s.URL(), "/v2/enqueue", "/v1/enqueue", 1), "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d, want 404", resp.StatusCode)
	}
}
