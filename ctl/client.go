package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Client calls opsproxy's API with a token.
type Client struct {
	base    *url.URL
	token   string
	http    *http.Client
	timeout time.Duration
}

// NewClient checks cfg and makes a client; errors name the setting at fault.
func NewClient(cfg Config) (*Client, error) {
	base, err := cfg.baseURL()
	if err != nil {
		return nil, err
	}
	tok, err := cfg.token()
	if err != nil {
		return nil, err
	}
	tr, err := cfg.transport()
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	return &Client{base: base, token: tok, http: &http.Client{Transport: tr}, timeout: timeout}, nil
}

// defaultTimeout bounds one request to opsproxy: above etcdctl's own command timeout (5s) and a
// bounded console watch (60s at most), so that opsproxy's answer, not ours, says what happened.
const defaultTimeout = 90 * time.Second

// ExitConnection is etcdctl's exit code when it cannot reach the cluster (ExitBadConnection),
// ours when opsproxy cannot be reached.
const ExitConnection = 2

// ExitError is etcdctl's exit code for most failures (ExitError).
const ExitError = 1

// APIError is an error answer of opsproxy.
type APIError struct {
	Status  int
	Message string
	// ExitCode is what etcdctl exits with for the same outcome (1 when the answer gives none).
	ExitCode int
}

func (e *APIError) Error() string { return e.Message }

// UnreachableError is a request that never got an HTTP answer.
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach opsproxy at %s: %v", e.URL, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// ExitCodeOf is the exit code for err: 0 for none, opsproxy's for its answers, ExitConnection
// when it could not be reached, ExitError otherwise.
func ExitCodeOf(err error) int {
	var ae *APIError
	var ue *UnreachableError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ae):
		return ae.ExitCode
	case errors.As(err, &ue):
		return ExitConnection
	}
	return ExitError
}

// errorAnswer is the JSON body of an error answer; exit_code is set by the console endpoints.
type errorAnswer struct {
	Error    string `json:"error"`
	ExitCode *int   `json:"exit_code"`
}

// maxAnswer bounds a JSON answer read into memory: a console answer carries etcdctl's output
// twice (text and result), and etcd's largest response is a few MiB.
const maxAnswer = 64 << 20

// do sends a request and returns the answer when it is 2xx; other statuses become *APIError
// and transport failures *UnreachableError. The caller closes the body.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body any) (*http.Response, error) {
	// path is already escaped (clusterPath).
	target := c.base.String() + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// url.Error repeats the URL; keep the cause only.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &UnreachableError{URL: c.base.Redacted(), Err: err}
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var ea errorAnswer
	if err := json.Unmarshal(raw, &ea); err != nil || ea.Error == "" {
		ea.Error = fmt.Sprintf("opsproxy answered %s", resp.Status)
	}
	apiErr := &APIError{Status: resp.StatusCode, Message: ea.Error, ExitCode: ExitError}
	if ea.ExitCode != nil && *ea.ExitCode > 0 {
		apiErr.ExitCode = *ea.ExitCode
	}
	return nil, apiErr
}

// getJSON sends a request and decodes its JSON answer into out.
func (c *Client) getJSON(ctx context.Context, method, path string, query url.Values, body, out any) error {
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.do(rctx, method, path, query, body)
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("opsproxy did not answer within --timeout %s", c.timeout)
		}
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(out); err != nil {
		return fmt.Errorf("%s %s: unreadable answer: %w", method, path, err)
	}
	return nil
}

// ConsoleAnswer is the answer of POST /clusters/{cluster}/console.
type ConsoleAnswer struct {
	Stdout     string          `json:"stdout"`
	Stderr     string          `json:"stderr"`
	ExitCode   int             `json:"exit_code"`
	Result     json.RawMessage `json:"result"`
	Operation  string          `json:"operation"`
	Format     string          `json:"format"`
	Job        json.RawMessage `json:"job"`
	DurationNS int64           `json:"duration_ns"`
}

// Run runs one command line (stdin's content on the lines after the first) on cluster.
func (c *Client) Run(ctx context.Context, cluster, line string) (ConsoleAnswer, error) {
	var out ConsoleAnswer
	err := c.getJSON(ctx, http.MethodPost, clusterPath(cluster, "console"), nil, map[string]string{"line": line}, &out)
	return out, err
}

// Candidate is one completion.
type Candidate struct {
	Text        string `json:"text"`
	Description string `json:"description"`
	Kind        string `json:"kind"`
}

// Completion is the answer of GET /clusters/{cluster}/complete: replacing line[From:To] with a
// candidate's text completes it.
type Completion struct {
	From       int         `json:"from"`
	To         int         `json:"to"`
	Candidates []Candidate `json:"candidates"`
	Truncated  bool        `json:"truncated"`
}

// Complete asks for the completions of line with the cursor at byte offset cursor.
func (c *Client) Complete(ctx context.Context, cluster, line string, cursor int) (Completion, error) {
	var out Completion
	q := url.Values{"line": {line}, "cursor": {strconv.Itoa(cursor)}}
	err := c.getJSON(ctx, http.MethodGet, clusterPath(cluster, "complete"), q, nil, &out)
	return out, err
}

// HistoryEntry is one line of the user's console history.
type HistoryEntry struct {
	ID      string    `json:"id"`
	Cluster string    `json:"cluster"`
	Line    string    `json:"line"`
	Time    time.Time `json:"time"`
}

type historyPage struct {
	Entries []HistoryEntry `json:"entries"`
	Next    string         `json:"next"`
}

// History returns up to limit of the user's most recent lines (on every cluster), newest first.
func (c *Client) History(ctx context.Context, limit int) ([]HistoryEntry, error) {
	var out []HistoryEntry
	cursor := ""
	for len(out) < limit {
		q := url.Values{"limit": {strconv.Itoa(min(limit-len(out), 1000))}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page historyPage
		if err := c.getJSON(ctx, http.MethodGet, "/api/v1/console/history", q, nil, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Entries...)
		if page.Next == "" || len(page.Entries) == 0 {
			break
		}
		cursor = page.Next
	}
	return out, nil
}

// ClusterInfo is a cluster the token may use.
type ClusterInfo struct {
	Name string `json:"name"`
}

// Clusters lists the clusters the token may use.
func (c *Client) Clusters(ctx context.Context) ([]ClusterInfo, error) {
	var out struct {
		Clusters []ClusterInfo `json:"clusters"`
	}
	err := c.getJSON(ctx, http.MethodGet, "/api/v1/clusters", nil, nil, &out)
	return out.Clusters, err
}

// DefaultCluster is the only cluster the token may use; with several, the error lists them.
func (c *Client) DefaultCluster(ctx context.Context) (string, error) {
	list, err := c.Clusters(ctx)
	if err != nil {
		return "", err
	}
	switch len(list) {
	case 1:
		return list[0].Name, nil
	case 0:
		return "", errors.New("--cluster: opsproxy serves no cluster this token may use")
	}
	names := make([]string, len(list))
	for i, ci := range list {
		names[i] = ci.Name
	}
	return "", fmt.Errorf("--cluster: opsproxy serves several clusters, name one (or set ETCD_MONITOR_CLUSTER): %v", names)
}

// clusterPath is /api/v1/clusters/<cluster>/<rest>, the name escaped.
func clusterPath(cluster, rest string) string {
	return "/api/v1/clusters/" + url.PathEscape(cluster) + "/" + rest
}
