package plugin

import (
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/etcd-monitor/etcd-monitor/grafana-app/internal/opsproxytest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

func TestCheckHealthSaysWhatIsWrong(t *testing.T) {
	env := opsproxytest.New(t)

	down, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downURL := "http://" + down.Addr().String()
	down.Close()

	// A TLS server whose certificate the app does not trust.
	tlsSrv := httptest.NewTLSServer(nil)
	defer tlsSrv.Close()

	notActing := env.Token(t, opsproxy.TokenSpec{Name: "plain", Role: "admin"})
	revoked, revokedID := env.TokenWithID(t, opsproxy.TokenSpec{Name: "old", Role: "admin", ActsForUsers: true})
	env.Revoke(t, revokedID)

	for name, tc := range map[string]struct {
		s      backend.AppInstanceSettings
		ok     bool
		want   []string
		secret string
	}{
		"ok": {s: settings(env.URL, env.Service), ok: true,
			want: []string{"Connected to opsproxy at " + env.URL, "1 cluster(s)"}, secret: env.Service},
		"not configured": {s: settings("", ""),
			want: []string{"not configured", "opsproxy URL and service token"}},
		"no token": {s: settings(env.URL, ""),
			want: []string{"not configured", "set the service token"}},
		"unreachable": {s: settings(downURL, env.Service),
			want: []string{"opsproxy at " + downURL + " is unreachable", "connection refused"}, secret: env.Service},
		"TLS": {s: settings(tlsSrv.URL, env.Service),
			want: []string{"TLS with opsproxy at " + tlsSrv.URL + " failed", "certificate"}, secret: env.Service},
		"unknown token": {s: settings(env.URL, opsproxy.NewTokenSecret()),
			want: []string{"refused the service token (unknown, revoked or expired)"}},
		"revoked token": {s: settings(env.URL, revoked),
			want: []string{"refused the service token (unknown, revoked or expired)"}, secret: revoked},
		"token without acts_for_users": {s: settings(env.URL, notActing),
			want: []string{"the service token may not act for Grafana users", "--acts-for-users"}, secret: notActing},
	} {
		t.Run(name, func(t *testing.T) {
			logs := newTestLogger()
			res, err := newApp(tc.s, logs).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Status == backend.HealthStatusOk; got != tc.ok {
				t.Errorf("status %v, want ok=%v: %s", res.Status, tc.ok, res.Message)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Message, w) {
					t.Errorf("message %q does not contain %q", res.Message, w)
				}
			}
			if tc.secret != "" {
				assertNoSecret(t, tc.secret, "health message", res.Message)
				assertNoSecret(t, tc.secret, "plugin log", logs.String())
			}
		})
	}
	assertNoSecret(t, env.Service, "opsproxy log", env.Logs())
}
