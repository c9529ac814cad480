package capture

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
)

// PagerDutyEvent is one event sent to the Events API v2.
type PagerDutyEvent struct {
	Raw         []byte           `json:"-"`
	RoutingKey  string           `json:"routing_key"`
	EventAction string           `json:"event_action"`
	DedupKey    string           `json:"dedup_key"`
	Payload     PagerDutyPayload `json:"payload"`
	Client      string           `json:"client"`
	ClientURL   string           `json:"client_url"`
	Links       []struct {
		Href string `json:"href"`
		Text string `json:"text"`
	} `json:"links"`
}

// PagerDutyPayload is the payload of a trigger event.
type PagerDutyPayload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp"`
	Component     string         `json:"component"`
	Group         string         `json:"group"`
	Class         string         `json:"class"`
	CustomDetails map[string]any `json:"custom_details"`
}

// PagerDutyServer is the PagerDuty Events API v2 (POST /v2/enqueue). Valid events are recorded
// and answered with 202 {"status":"success","message":"Event processed","dedup_key":...};
// invalid ones get 400 {"status":"invalid event",...} as PagerDuty answers them.
type PagerDutyServer struct {
	srv    *http.Server
	ln     net.Listener
	events *recorder[PagerDutyEvent]
}

// NewPagerDutyServer starts an Events API v2 endpoint on 127.0.0.1 at a free port.
func NewPagerDutyServer() (*PagerDutyServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("pagerduty capture listen: %w", err)
	}
	s := &PagerDutyServer{ln: ln, events: newRecorder[PagerDutyEvent]()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/enqueue", s.enqueue)
	s.srv = &http.Server{Handler: mux}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the enqueue URL to configure (Alertmanager's pagerduty_url / url).
func (s *PagerDutyServer) URL() string { return "http://" + s.ln.Addr().String() + "/v2/enqueue" }

func (s *PagerDutyServer) enqueue(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		invalid(w, "could not read body")
		return
	}
	var e PagerDutyEvent
	if err := json.Unmarshal(body, &e); err != nil {
		invalid(w, "event object is invalid")
		return
	}
	var problems []string
	if e.RoutingKey == "" {
		problems = append(problems, "'routing_key' is missing.")
	}
	if !slices.Contains([]string{"trigger", "acknowledge", "resolve"}, e.EventAction) {
		problems = append(problems, "'event_action' is invalid (must be one of: trigger, acknowledge, resolve).")
	}
	if e.EventAction == "trigger" {
		if e.Payload.Summary == "" {
			problems = append(problems, "'payload.summary' is missing or blank.")
		}
		if e.Payload.Source == "" {
			problems = append(problems, "'payload.source' is missing or blank.")
		}
		if !slices.Contains([]string{"critical", "error", "warning", "info"}, e.Payload.Severity) {
			problems = append(problems, "'payload.severity' is invalid (must be one of: critical, error, warning, info).")
		}
	} else if e.DedupKey == "" {
		problems = append(problems, "'dedup_key' is required for "+e.EventAction+" events.")
	}
	if len(problems) > 0 {
		invalid(w, "Event object is invalid", problems...)
		return
	}
	if e.DedupKey == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		e.DedupKey = hex.EncodeToString(b)
	}
	e.Raw = body
	s.events.add(e)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": "success", "message": "Event processed", "dedup_key": e.DedupKey})
}

func invalid(w http.ResponseWriter, msg string, errs ...string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	if errs == nil {
		errs = []string{}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"status": "invalid event", "message": msg, "errors": errs})
}

// Events returns every accepted event so far.
func (s *PagerDutyServer) Events() []PagerDutyEvent { return s.events.all() }

// WaitFor blocks until an accepted event matching match has arrived, or ctx is done.
func (s *PagerDutyServer) WaitFor(ctx context.Context, match func(PagerDutyEvent) bool) (PagerDutyEvent, error) {
	return s.events.waitFor(ctx, "pagerduty event", match)
}

// Close stops the server; it is safe to call more than once (t.Cleanup(s.Close)).
func (s *PagerDutyServer) Close() { _ = s.srv.Close() }
