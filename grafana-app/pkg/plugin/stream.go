package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

var _ backend.StreamHandler = (*App)(nil)

// Reconnection delays of a watch whose connection to opsproxy failed or ended: doubling from
// the first to the last.
const (
	firstRetryDelay = time.Second
	lastRetryDelay  = 30 * time.Second
)

// streamMessage is what a watch channel carries to the browser: opsproxy's events as they come
// (put, delete, progress, compacted, error; id is the revision to resume after), "open" when
// the stream to opsproxy is (again) open, and an error with retrying set while the plugin
// reconnects. An error without retrying and a compacted message end the watch.
type streamMessage struct {
	Event    string          `json:"event"`
	ID       int64           `json:"id,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
	Error    string          `json:"error,omitempty"`
	Status   int             `json:"status,omitempty"`
	Retrying bool            `json:"retrying,omitempty"`
}

// SubscribeStream lets a user subscribe to a watch channel when the channel is theirs, their
// org role gives them access, and opsproxy lets them read the watched range (a count-only read
// as that user). Refusals are PermissionDenied or NotFound; opsproxy being unreachable is an
// error that says so.
func (a *App) SubscribeStream(ctx context.Context, req *backend.SubscribeStreamRequest) (*backend.SubscribeStreamResponse, error) {
	ctx = backend.WithPluginContext(ctx, req.PluginContext) // the org, for setIdentity
	ch, status, err := a.authorizeChannel(req.PluginContext.User, req.Path, req.Data)
	if err != nil || status != backend.SubscribeStreamStatusOK {
		return &backend.SubscribeStreamResponse{Status: status}, err
	}
	status, err = a.checkRead(ctx, req.PluginContext.User, ch.Spec)
	return &backend.SubscribeStreamResponse{Status: status}, err
}

// PublishStream is refused: a watch channel carries only what opsproxy sends.
func (a *App) PublishStream(context.Context, *backend.PublishStreamRequest) (*backend.PublishStreamResponse, error) {
	return &backend.PublishStreamResponse{Status: backend.PublishStreamStatusPermissionDenied}, nil
}

// RunStream streams opsproxy's watch of the channel's range, as the channel's user, until ctx
// ends (the last subscriber left). A dropped connection is resumed after the last revision sent
// (Last-Event-ID); a refusal, a compacted start revision or opsproxy's error event ends it.
func (a *App) RunStream(ctx context.Context, req *backend.RunStreamRequest, sender *backend.StreamSender) error {
	ctx = backend.WithPluginContext(ctx, req.PluginContext) // the org, for setIdentity
	user := req.PluginContext.User
	ch, status, err := a.authorizeChannel(user, req.Path, req.Data)
	if err != nil {
		return err
	}
	if status != backend.SubscribeStreamStatusOK {
		return sendMessage(sender, streamMessage{Event: "error", Status: http.StatusForbidden, Error: "etcd-monitor app: this watch channel is not yours"})
	}
	var lastID int64
	delay := firstRetryDelay
	for {
		resumeFrom := lastID
		final, err := a.watchOnce(ctx, user, ch.Spec, &lastID, sender)
		if ctx.Err() != nil || final {
			return nil
		}
		if lastID != resumeFrom {
			delay = firstRetryDelay // events came: this is a new interruption, not the same one
		}
		a.logger.Warn("watch through opsproxy interrupted", "user", user.Login, "cluster", ch.Spec.Cluster, "err", err.Error())
		if serr := sendMessage(sender, streamMessage{Event: "error", Error: err.Error(), Retrying: true}); serr != nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
		delay = min(2*delay, lastRetryDelay)
	}
}

// authorizeChannel parses a channel path and data and checks that user may subscribe to it: a signed-in
// user with an org role, whose own channel it is.
func (a *App) authorizeChannel(user *backend.User, path string, data []byte) (watchChannel, backend.SubscribeStreamStatus, error) {
	if a.configErr != nil {
		return watchChannel{}, backend.SubscribeStreamStatusNotFound, errors.New("etcd-monitor app: " + a.configErr.Error())
	}
	if user == nil || user.Login == "" || !grafanaRoles[user.Role] {
		return watchChannel{}, backend.SubscribeStreamStatusPermissionDenied, nil
	}
	ch, err := parseWatchChannel(path, data)
	if err != nil {
		a.logger.Debug("watch channel refused", "user", user.Login, "err", err.Error())
		return ch, backend.SubscribeStreamStatusNotFound, nil
	}
	if ch.Login != user.Login {
		a.logger.Warn("watch channel of another user refused", "user", user.Login)
		return ch, backend.SubscribeStreamStatusPermissionDenied, nil
	}
	return ch, backend.SubscribeStreamStatusOK, nil
}

// checkRead asks opsproxy, as user, for the number of keys in the watched range: the watch
// is allowed when the read is.
func (a *App) checkRead(ctx context.Context, user *backend.User, spec watchSpec) (backend.SubscribeStreamStatus, error) {
	q := rangeQuery(spec)
	q.Set("count_only", "true")
	resp, err := a.opsproxyGet(ctx, user, "/api/v1/clusters/"+url.PathEscape(spec.Cluster)+"/keys", q, 0)
	if err != nil {
		_, msg := a.transportError(err)
		return backend.SubscribeStreamStatusNotFound, errors.New(msg)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode/100 == 2:
		return backend.SubscribeStreamStatusOK, nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return backend.SubscribeStreamStatusPermissionDenied, nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusBadRequest:
		return backend.SubscribeStreamStatusNotFound, nil
	}
	return backend.SubscribeStreamStatusNotFound, fmt.Errorf("opsproxy at %s answered %s to the read check of the watch", a.base.Redacted(), resp.Status)
}

// watchOnce streams one connection's events. final says the watch is over (refused,
// compacted, or ended by opsproxy's error event); otherwise err says why the connection ended.
func (a *App) watchOnce(ctx context.Context, user *backend.User, spec watchSpec, lastID *int64, sender *backend.StreamSender) (final bool, err error) {
	q := rangeQuery(spec)
	if spec.StartRevision > 0 {
		q.Set("start_revision", strconv.FormatInt(spec.StartRevision, 10))
	}
	if spec.PrevKV {
		q.Set("prev_kv", "true")
	}
	resp, err := a.opsproxyGet(ctx, user, "/api/v1/clusters/"+url.PathEscape(spec.Cluster)+"/watch", q, *lastID)
	if err != nil {
		_, msg := a.transportError(err)
		return false, errors.New(msg)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg := opsproxyErrorText(resp)
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			return false, errors.New(msg)
		}
		return true, sendMessage(sender, streamMessage{Event: "error", Status: resp.StatusCode, Error: msg})
	}
	if err := sendMessage(sender, streamMessage{Event: "open"}); err != nil {
		return true, err
	}
	events := newSSEReader(resp.Body)
	for {
		ev, err := events.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return false, fmt.Errorf("opsproxy at %s ended the watch", a.base.Redacted())
			}
			return false, fmt.Errorf("reading the watch from opsproxy at %s: %w", a.base.Redacted(), rootCause(err))
		}
		m := streamMessage{Event: ev.Name, ID: ev.ID}
		if json.Valid([]byte(ev.Data)) {
			m.Data = json.RawMessage(ev.Data)
		}
		if ev.Name == "error" || ev.Name == "compacted" {
			var e struct {
				Error string `json:"error"`
			}
			_ = json.Unmarshal(m.Data, &e)
			m.Error = e.Error
		}
		if err := sendMessage(sender, m); err != nil {
			return true, err
		}
		if ev.ID > 0 {
			*lastID = ev.ID
		}
		if ev.Name == "error" || ev.Name == "compacted" {
			return true, nil
		}
	}
}

// opsproxyGet makes a GET to opsproxy as user; lastID > 0 resumes a watch after it.
func (a *App) opsproxyGet(ctx context.Context, user *backend.User, path string, q url.Values, lastID int64) (*http.Response, error) {
	target := *a.base
	target.Path = a.base.Path + path
	target.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return nil, err
	}
	if lastID > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(lastID, 10))
	}
	a.setIdentity(req, user.Login, user.Role)
	return a.client.Do(req)
}

// rangeQuery is the key range of spec as opsproxy's query parameters.
func rangeQuery(spec watchSpec) url.Values {
	q := url.Values{"key": {spec.Key}}
	if spec.Prefix {
		q.Set("prefix", "true")
	}
	return q
}

// opsproxyErrorText is the message of opsproxy's error answer {error, request_id}.
func opsproxyErrorText(resp *http.Response) string {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct {
		Error     string `json:"error"`
		RequestID string `json:"request_id"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return "opsproxy answered " + resp.Status
	}
	if e.RequestID != "" {
		return fmt.Sprintf("%s (request %s)", e.Error, e.RequestID)
	}
	return e.Error
}

func sendMessage(sender *backend.StreamSender, m streamMessage) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return sender.SendJSON(raw)
}
