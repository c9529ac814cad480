package plugin

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/etcd-monitor/etcd-monitor/grafana-app/internal/opsproxytest"
)

func TestTLSSettingsReachOpsproxyOverHTTPS(t *testing.T) {
	env := opsproxytest.New(t)
	srv := httptest.NewTLSServer(env.Srv.Handler())
	defer srv.Close()
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))

	withTLS := func(jsonData map[string]any, secure map[string]string) backend.AppInstanceSettings {
		jsonData["opsproxyUrl"] = srv.URL
		js, _ := json.Marshal(jsonData)
		secure["serviceToken"] = env.Service
		return backend.AppInstanceSettings{JSONData: js, DecryptedSecureJSONData: secure}
	}
	for name, tc := range map[string]struct {
		s    backend.AppInstanceSettings
		ok   bool
		want string
	}{
		"CA given":          {s: withTLS(map[string]any{}, map[string]string{"tlsCACert": caPEM}), ok: true, want: "Connected to opsproxy"},
		"skip verify":       {s: withTLS(map[string]any{"tlsSkipVerify": true}, map[string]string{}), ok: true, want: "Connected to opsproxy"},
		"no CA":             {s: withTLS(map[string]any{}, map[string]string{}), want: "TLS with opsproxy at " + srv.URL + " failed"},
		"wrong server name": {s: withTLS(map[string]any{"tlsServerName": "opsproxy.example"}, map[string]string{"tlsCACert": caPEM}), want: "TLS with opsproxy"},
		"CA not PEM":        {s: withTLS(map[string]any{}, map[string]string{"tlsCACert": "not a certificate"}), want: "TLS CA certificate: no PEM certificate found"},
		"key without cert":  {s: withTLS(map[string]any{}, map[string]string{"tlsClientKey": "-----BEGIN PRIVATE KEY-----"}), want: "the certificate and its key go together"},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := newApp(tc.s, newTestLogger()).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if (res.Status == backend.HealthStatusOk) != tc.ok || !strings.Contains(res.Message, tc.want) {
				t.Errorf("status %v %q, want ok=%v and %q", res.Status, res.Message, tc.ok, tc.want)
			}
		})
	}
}
