package capture

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
)

// SlackMessage is one payload posted to the Slack incoming webhook.
type SlackMessage struct {
	Path        string            `json:"-"`
	Raw         []byte            `json:"-"`
	Channel     string            `json:"channel"`
	Username    string            `json:"username"`
	Text        string            `json:"text"`
	Attachments []SlackAttachment `json:"attachments"`
}

// SlackAttachment is the attachment Alertmanager puts its title, colour, text and buttons in.
type SlackAttachment struct {
	Title     string        `json:"title"`
	TitleLink string        `json:"title_link"`
	Color     string        `json:"color"`
	Text      string        `json:"text"`
	Fallback  string        `json:"fallback"`
	Actions   []SlackAction `json:"actions"`
}

// SlackAction is a button of an attachment.
type SlackAction struct {
	Type string `json:"type"`
	Text string `json:"text"`
	URL  string `json:"url"`
}

// SlackServer is a Slack incoming-webhook endpoint: any POST with a JSON body is recorded and
// answered with 200 "ok", as Slack does; a body that is not JSON gets 400 "invalid_payload".
type SlackServer struct {
	srv      *http.Server
	ln       net.Listener
	messages *recorder[SlackMessage]
}

// NewSlackServer starts a Slack webhook endpoint on 127.0.0.1 at a free port.
func NewSlackServer() (*SlackServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("slack capture listen: %w", err)
	}
	s := &SlackServer{ln: ln, messages: newRecorder[SlackMessage]()}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.handle)}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the webhook URL to configure (Alertmanager's api_url or the content of api_url_file).
func (s *SlackServer) URL() string {
	return "http://" + s.ln.Addr().String() + "/services/T000/B000/XXXX"
}

func (s *SlackServer) handle(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "invalid_request", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	var m SlackMessage
	if err := json.Unmarshal(body, &m); err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	m.Path, m.Raw = r.URL.Path, body
	s.messages.add(m)
	_, _ = io.WriteString(w, "ok")
}

// Messages returns every payload received so far.
func (s *SlackServer) Messages() []SlackMessage { return s.messages.all() }

// WaitFor blocks until a payload matching match has arrived, or ctx is done.
func (s *SlackServer) WaitFor(ctx context.Context, match func(SlackMessage) bool) (SlackMessage, error) {
	return s.messages.waitFor(ctx, "slack message", match)
}

// Close stops the server; it is safe to call more than once (t.Cleanup(s.Close)).
func (s *SlackServer) Close() { _ = s.srv.Close() }
