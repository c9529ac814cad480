package etcdconn

import (
	"context"
	"crypto/tls"
	"testing"
	"time"
)

// Diagnose names the check that fails, whatever the deadline: a minute here, and each case ends
// as soon as the server has answered.
func TestDiagnoseNamesTheFailedCheck(t *testing.T) {
	ca, other := newTestCA(t), newTestCA(t)
	valid := ca.leaf(t, "", time.Now().Add(time.Hour))
	server := func(cert tls.Certificate) *tls.Config {
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	mtls := server(valid)
	mtls.ClientAuth, mtls.ClientCAs = tls.RequireAndVerifyClientCert, ca.pool
	trusting := func(c *testCA, client ...tls.Certificate) *tls.Config {
		return &tls.Config{RootCAs: c.pool, Certificates: client, MinVersion: tls.VersionTLS12}
	}
	for _, tc := range []struct {
		name     string
		endpoint string
		client   *tls.Config
		want     string
	}{
		{"answers", serveTLS(t, server(valid)), trusting(ca), ""},
		{"refused", "https://" + closedEndpoint(t), trusting(ca), "refused"},
		{"refused without TLS", "http://" + closedEndpoint(t), nil, "refused"},
		{"untrusted CA", serveTLS(t, server(valid)), trusting(other), "tls_unknown_authority"},
		{"wrong hostname", serveTLS(t, server(ca.leaf(t, "elsewhere.example", time.Now().Add(time.Hour)))), trusting(ca), "tls_hostname_mismatch"},
		{"expired", serveTLS(t, server(ca.leaf(t, "", time.Now().Add(-time.Hour)))), trusting(ca), "tls_expired_or_not_yet_valid"},
		{"client certificate from another CA", serveTLS(t, mtls), trusting(ca, other.leaf(t, "", time.Now().Add(time.Hour))), "tls_client_cert_rejected"},
		{"no client certificate", serveTLS(t, mtls), trusting(ca), "tls_client_cert_rejected"},
		{"client certificate accepted", serveTLS(t, mtls), trusting(ca, ca.leaf(t, "", time.Now().Add(time.Hour))), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			err := Diagnose(ctx, tc.endpoint, tc.client)
			if got := ReasonOf(err); got != tc.want {
				t.Errorf("Diagnose = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}
