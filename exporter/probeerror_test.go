package exporter

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// slowEntry is a cluster entry whose dial and request timeouts are a minute, so that a reason
// other than "timeout" proves the exporter did not wait for them.
func slowEntry(name string, endpoints []string, extra ...string) string {
	var b strings.Builder
	b.WriteString("  - name: " + name + "\n    endpoints: [" + strings.Join(endpoints, ", ") + "]\n    dial_timeout: 1m\n    request_timeout: 1m\n")
	for _, e := range extra {
		b.WriteString("    " + e + "\n")
	}
	return b.String()
}

// Each way of not reaching a member is named in etcd_monitor_member_probe_error and in
// /probe?debug=true, within a one-minute scrape whose end is not awaited.
func TestProbeNamesWhyAMemberCannotBeReached(t *testing.T) {
	secure := etcdtest.New(t, etcdtest.Config{Size: 1, TLS: true})
	other := etcdtest.New(t, etcdtest.Config{Size: 1, TLS: true}).TLS
	withAuth := etcdtest.New(t, etcdtest.Config{Size: 1, Auth: true})
	f := secure.TLS
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	wrongPW := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(wrongPW, []byte("not-the-password"), 0o600); err != nil {
		t.Fatal(err)
	}
	tlsYAML := func(ca, cert, key, extra string) string {
		return "tls: {ca_file: " + ca + ", cert_file: " + cert + ", key_file: " + key + extra + "}"
	}
	cases := []struct{ name, entry, want string }{
		{"refused", slowEntry("refused", []string{closed}), "refused"},
		{"untrusted-ca", slowEntry("untrusted-ca", secure.Endpoints(), tlsYAML(other.CAFile, f.ClientCertFile, f.ClientKeyFile, "")), "tls_unknown_authority"},
		{"wrong-hostname", slowEntry("wrong-hostname", secure.Endpoints(), tlsYAML(f.CAFile, f.ClientCertFile, f.ClientKeyFile, ", server_name: etcd.elsewhere.example")), "tls_hostname_mismatch"},
		{"bad-client-cert", slowEntry("bad-client-cert", secure.Endpoints(), tlsYAML(f.CAFile, other.ClientCertFile, other.ClientKeyFile, "")), "tls_client_cert_rejected"},
		{"wrong-password", slowEntry("wrong-password", withAuth.Endpoints(), "username: root", "password_file: "+wrongPW), "auth"},
	}
	config := "clusters:\n"
	for _, tc := range cases {
		config += tc.entry
	}
	e := startExporter(t, config, Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := get(t, e.URL+"/probe?target="+tc.name, time.Minute)
			if code != http.StatusOK {
				t.Fatalf("HTTP %d: %s", code, body)
			}
			mfs := families(t, body)
			mustSample(t, mfs, "etcd_monitor_member_probe_error", lbl("reason", tc.want), 1)
			mustSample(t, mfs, "etcd_monitor_member_up", nil, 0)
			_, debug := get(t, e.URL+"/probe?debug=true&target="+tc.name, time.Minute)
			if !strings.Contains(debug, "Members that did not answer:") || !strings.Contains(debug, "reason="+tc.want) {
				t.Errorf("debug output does not name reason %s:\n%s", tc.want, debug)
			}
		})
	}
	if log := e.Log.String(); !strings.Contains(log, "reason=tls_unknown_authority") || !strings.Contains(log, "reason=refused") {
		t.Errorf("the log does not name the reasons:\n%s", log)
	}
}

// A server certificate that does not verify against the configured CA is a failure of the certs
// probe, not an expiry like any other.
func TestCertsProbeFailsOnServerCertificateThatDoesNotVerify(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1, TLS: true})
	other := etcdtest.New(t, etcdtest.Config{Size: 1, TLS: true}).TLS
	f := c.TLS
	e := startExporter(t, "clusters:\n"+
		clusterYAML("trusted", c, "tls: {ca_file: "+f.CAFile+", cert_file: "+f.ClientCertFile+", key_file: "+f.ClientKeyFile+"}")+
		clusterYAML("untrusted", c, "tls: {ca_file: "+other.CAFile+", cert_file: "+f.ClientCertFile+", key_file: "+f.ClientKeyFile+"}"), Options{})
	mfs := scrapeMetrics(t, e, 10*time.Second)
	ep := c.Endpoints()[0]
	mustSample(t, mfs, "etcd_monitor_tls_server_cert_verified", lbl("cluster", "trusted", "endpoint", ep), 1)
	mustSample(t, mfs, "etcd_monitor_scrape_collector_success", lbl("cluster", "trusted", "collector", "certs"), 1)
	mustSample(t, mfs, "etcd_monitor_tls_server_cert_verified", lbl("cluster", "untrusted", "endpoint", ep), 0)
	mustSample(t, mfs, "etcd_monitor_scrape_collector_success", lbl("cluster", "untrusted", "collector", "certs"), 0)
	_, debug := get(t, e.URL+"/probe?debug=true&target=untrusted", 10*time.Second)
	if !strings.Contains(debug, "does not verify: tls (unknown authority)") {
		t.Errorf("debug output does not say the certificate does not verify:\n%s", debug)
	}
}
