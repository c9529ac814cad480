package plugin

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// opsproxy's headers for the end user a service token acts for (its auth.grafana.user_header,
// role_header and org_header defaults).
const (
	userHeader = "X-Grafana-User"
	roleHeader = "X-Grafana-Org-Role"
	orgHeader  = "X-Grafana-Org-Id"
)

// Grafana org roles that opsproxy maps onto its own roles; any other (None, or no role) has
// no access and is refused here without a call.
var grafanaRoles = map[string]bool{"Viewer": true, "Editor": true, "Admin": true}

// Request headers passed on to opsproxy; everything else (the browser's cookies, its
// Authorization, any X-Grafana-* it sent) stays behind.
var forwardRequestHeaders = []string{"Accept", "Content-Type", "If-Match", "If-None-Match", "Last-Event-ID", "X-Request-Id"}

// Answer headers passed back from opsproxy.
var forwardAnswerHeaders = []string{"Content-Type", "Content-Disposition", "Cache-Control", "ETag", "Retry-After", "X-Request-Id", "X-Client-Request-Id", "Link"}

// handleForward passes a resource call under /api/v1/ to opsproxy as the signed-in user.
func (a *App) handleForward(w http.ResponseWriter, r *http.Request) {
	if a.configErr != nil {
		writeError(w, http.StatusServiceUnavailable, "etcd-monitor app: "+a.configErr.Error())
		return
	}
	user := backend.UserFromContext(r.Context())
	if user == nil || user.Login == "" {
		writeError(w, http.StatusForbidden, "etcd-monitor app: no signed-in Grafana user")
		return
	}
	if !grafanaRoles[user.Role] {
		role := user.Role
		if role == "" {
			role = "None"
		}
		writeError(w, http.StatusForbidden, fmt.Sprintf("etcd-monitor app: Grafana org role %s has no access: want Viewer, Editor or Admin", role))
		return
	}
	target := *a.base
	target.Path = a.base.Path + r.URL.Path
	target.RawQuery = r.URL.RawQuery
	out, err := http.NewRequestWithContext(r.Context(), r.Method, target.String(), r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "etcd-monitor app: "+err.Error())
		return
	}
	out.ContentLength = r.ContentLength
	for _, h := range forwardRequestHeaders {
		if v := r.Header.Values(h); len(v) > 0 {
			out.Header[h] = v
		}
	}
	a.setIdentity(out, user.Login, user.Role)
	resp, err := a.client.Do(out)
	if err != nil {
		if r.Context().Err() != nil {
			return // the user went away
		}
		status, msg := a.transportError(err)
		a.logger.Warn("opsproxy request failed", "method", r.Method, "path", r.URL.Path, "user", user.Login, "err", msg)
		writeError(w, status, msg)
		return
	}
	defer resp.Body.Close()
	for _, h := range forwardAnswerHeaders {
		if v := resp.Header.Values(h); len(v) > 0 {
			w.Header()[h] = v
		}
	}
	w.WriteHeader(resp.StatusCode)
	copyFlushing(w, resp.Body)
}

// setIdentity adds the service token and the end user to a request to opsproxy: login, org
// role, and the org of the plugin context in the request's context (opsproxy refuses a service
// token mapped to another org; auth.grafana.service_tokens).
func (a *App) setIdentity(req *http.Request, login, role string) {
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set(userHeader, login)
	req.Header.Set(roleHeader, role)
	if org, ok := orgOfNamespace(backend.PluginConfigFromContext(req.Context()).Namespace); ok {
		req.Header.Set(orgHeader, strconv.FormatInt(org, 10))
	}
}

// orgOfNamespace reads the Grafana org id of the request's namespace, as Grafana writes it:
// "default" is org 1, "org-<id>" any other org, and a Grafana Cloud stack ("stacks-<id>") has
// only org 1. Anything else names no org, and no org header is sent.
func orgOfNamespace(ns string) (int64, bool) {
	switch {
	case ns == "default", strings.HasPrefix(ns, "stacks-"):
		return 1, true
	case strings.HasPrefix(ns, "org-"):
		id, err := strconv.ParseInt(strings.TrimPrefix(ns, "org-"), 10, 64)
		return id, err == nil && id > 0
	}
	return 0, false
}

// copyFlushing copies an answer, flushing after each read so that a stream (a watch's server-
// sent events) reaches the browser as it comes.
func copyFlushing(w http.ResponseWriter, body io.Reader) {
	f, _ := w.(http.Flusher)
	buf := make([]byte, 32*1024)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if f != nil {
				f.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}

// transportError turns a failed call to opsproxy into an answer status and a message that
// names opsproxy and what failed. The messages hold the URL (without credentials, which
// baseURL refuses) and never the token, which is only ever in a request header.
func (a *App) transportError(err error) (int, string) {
	where := a.base.Redacted()
	cause := rootCause(err)
	if isTLSError(err) {
		return http.StatusBadGateway, fmt.Sprintf("TLS with opsproxy at %s failed: %v", where, cause)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return http.StatusGatewayTimeout, fmt.Sprintf("opsproxy at %s did not answer in time", where)
	}
	return http.StatusBadGateway, fmt.Sprintf("opsproxy at %s is unreachable: %v", where, cause)
}

// rootCause drops the *url.Error wrapper, whose text repeats the method and URL.
func rootCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isTLSError(err error) bool {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		verify     *tls.CertificateVerificationError
		recordHdr  tls.RecordHeaderError
		alertError tls.AlertError
	)
	return errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &recordHdr) || errors.As(err, &alertError) ||
		strings.Contains(err.Error(), "tls: ")
}

// writeError answers in opsproxy's error shape.
func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
