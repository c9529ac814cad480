package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// healthUser and healthRole are the end user the health check acts as: a service token that
// may not act for users fails here as it would on every page.
const (
	healthUser = "health-check"
	healthRole = "Viewer"
)

// healthTimeout bounds the health check's call to opsproxy.
const healthTimeout = 10 * time.Second

// CheckHealth asks opsproxy for its clusters as a Viewer, and says exactly what is wrong when
// that fails: the app not configured, opsproxy unreachable, TLS, the token unknown, revoked or
// expired, or the token not allowed to act for Grafana users.
func (a *App) CheckHealth(ctx context.Context, check *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	ctx = backend.WithPluginContext(ctx, check.PluginContext) // the org, for setIdentity
	if a.configErr != nil {
		msg := "The app's settings are invalid: " + a.configErr.Error()
		if errors.Is(a.configErr, errNotConfigured) {
			msg = "The app is " + a.configErr.Error()
		}
		return healthError(msg), nil
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	target := *a.base
	target.Path = a.base.Path + "/api/v1/clusters"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return healthError("opsproxy URL: " + err.Error()), nil
	}
	req.Header.Set("Accept", "application/json")
	a.setIdentity(req, healthUser, healthRole)
	resp, err := a.client.Do(req)
	if err != nil {
		_, msg := a.transportError(err)
		return healthError(msg), nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	where := a.base.Redacted()
	switch {
	case resp.StatusCode == http.StatusOK:
		var clusters []json.RawMessage
		if err := json.Unmarshal(body, &clusters); err != nil {
			var wrapped struct {
				Clusters []json.RawMessage `json:"clusters"`
			}
			if err := json.Unmarshal(body, &wrapped); err != nil {
				return healthError(fmt.Sprintf("%s does not answer as opsproxy does (GET /api/v1/clusters: not a list of clusters)", where)), nil
			}
			clusters = wrapped.Clusters
		}
		return &backend.CheckHealthResult{
			Status:  backend.HealthStatusOk,
			Message: fmt.Sprintf("Connected to opsproxy at %s: the service token may act for Grafana users; %d cluster(s) visible to a Viewer.", where, len(clusters)),
		}, nil
	case resp.StatusCode == http.StatusUnauthorized:
		return healthError(fmt.Sprintf("opsproxy at %s refused the service token (unknown, revoked or expired): %s", where, opsproxyError(body, resp.Status))), nil
	case resp.StatusCode == http.StatusForbidden:
		msg := opsproxyError(body, resp.Status)
		if strings.Contains(msg, "may not act for users") {
			return healthError(fmt.Sprintf("opsproxy at %s: the service token may not act for Grafana users (make one with `etcd-monitor opsproxy token create --acts-for-users`): %s", where, msg)), nil
		}
		return healthError(fmt.Sprintf("opsproxy at %s refused the service token's request as a Grafana Viewer: %s", where, msg)), nil
	default:
		return healthError(fmt.Sprintf("opsproxy at %s answered GET /api/v1/clusters with %s: %s", where, resp.Status, opsproxyError(body, resp.Status))), nil
	}
}

func healthError(msg string) *backend.CheckHealthResult {
	return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: msg}
}

// opsproxyError is the "error" of an opsproxy error answer, or the status when there is none.
func opsproxyError(body []byte, status string) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return e.Error
	}
	return status
}
