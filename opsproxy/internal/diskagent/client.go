package diskagent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
)

// maxResultBytes bounds an agent's answer: a result with its HDR histogram is a few tens of
// KiB, so anything larger is not an agent's.
const maxResultBytes = 4 << 20

// Client calls the agent of one member.
type Client struct {
	agent clusterconfig.DiskAgent
	base  *url.URL
	http  *http.Client
}

// New returns the client of agent a, its TLS files read now. A call's own timeout is the
// entry's (default clusterconfig.DefaultDiskAgentTimeout).
func New(a clusterconfig.DiskAgent) (*Client, error) {
	base, err := url.Parse(strings.TrimSuffix(a.URL, "/"))
	if err != nil {
		return nil, newError(a, "", fmt.Errorf("url: %w", errors.Unwrap(err)))
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if a.TLS.Enabled() {
		tc, err := a.TLS.Config()
		if err != nil {
			return nil, newError(a, "", fmt.Errorf("tls: %w", err))
		}
		tr.TLSClientConfig = tc
	}
	if a.Timeout <= 0 {
		a.Timeout = model.Duration(clusterconfig.DefaultDiskAgentTimeout)
	}
	return &Client{agent: a, base: base, http: &http.Client{Transport: tr,
		// An agent never redirects; following one could send the credentials elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// Close releases the client's idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Member is the member whose agent c calls.
func (c *Client) Member() string { return c.agent.Member }

// URL is the agent's base URL (it holds no credentials).
func (c *Client) URL() string { return c.agent.URL }

// Probe asks the agent for a probe and returns its result. Cancelling ctx cancels the request,
// and the agent then stops the probe and removes its directory. The call is bounded by the
// entry's timeout.
func (c *Client) Probe(ctx context.Context, req diskprobe.ProbeRequest) (diskprobe.Result, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return diskprobe.Result{}, newError(c.agent, "probe", err)
	}
	var res diskprobe.Result
	err = c.do(ctx, http.MethodPost, "/probe", body, &res)
	return res, err
}

// Last returns the agent's last result; ErrNoResult when it has run none.
func (c *Client) Last(ctx context.Context) (diskprobe.Result, error) {
	var res diskprobe.Result
	err := c.do(ctx, http.MethodGet, "/probe/last", nil, &res)
	return res, err
}

// Healthy checks the agent answers its health endpoint.
func (c *Client) Healthy(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/-/healthy", nil, nil)
}

// do makes one call and decodes a 200 answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	op := strings.TrimPrefix(path, "/")
	ctx, cancel := context.WithTimeout(ctx, time.Duration(c.agent.Timeout))
	defer cancel()
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return newError(c.agent, op, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.agent.Username != "" {
		pw, err := c.agent.ReadPassword()
		if err != nil {
			return newError(c.agent, op, err)
		}
		req.SetBasicAuth(c.agent.Username, pw)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return newError(c.agent, op, transportError(ctx, err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResultBytes+1))
	if err != nil {
		return newError(c.agent, op, fmt.Errorf("read the answer: %w", transportError(ctx, err)))
	}
	if len(raw) > maxResultBytes {
		return newError(c.agent, op, fmt.Errorf("answer larger than %d bytes", maxResultBytes))
	}
	if resp.StatusCode != http.StatusOK {
		return newStatusError(c.agent, op, resp.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return newError(c.agent, op, fmt.Errorf("answer is not a probe result: %w", err))
	}
	return nil
}

// transportError is the reason of a failed request without url.Error's method and URL (the
// error names the agent's URL itself), or the deadline when the call's timeout ran out.
func transportError(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within the agent's timeout: %w", err)
	}
	return err
}
