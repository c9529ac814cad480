package exporter

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	dto "github.com/prometheus/client_model/go"
)

func TestCertificateExpiryOfServerClientAndCA(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3, TLS: true})
	f := c.TLS
	e := startExporter(t, "clusters:\n"+clusterYAML("tls", c,
		"tls: {ca_file: "+f.CAFile+", cert_file: "+f.ClientCertFile+", key_file: "+f.ClientKeyFile+"}"), Options{})
	mfs := scrapeMetrics(t, e, 10*time.Second)
	for _, ep := range c.Endpoints() {
		mustSample(t, mfs, "etcd_monitor_member_healthy", lbl("endpoint", ep), 1)
		mustSample(t, mfs, "etcd_monitor_tls_cert_not_after_timestamp_seconds",
			lbl("kind", "server", "endpoint", ep, "subject", "CN=embedetcd server"), float64(f.ServerNotAfter.Unix()))
	}
	mustSample(t, mfs, "etcd_monitor_tls_cert_not_after_timestamp_seconds", lbl("kind", "client", "endpoint", ""), float64(f.ClientNotAfter.Unix()))
	mustSample(t, mfs, "etcd_monitor_tls_cert_not_after_timestamp_seconds", lbl("kind", "ca", "endpoint", ""), float64(f.CANotAfter.Unix()))
	mustSample(t, mfs, "etcd_monitor_scrape_collector_success", lbl("collector", "certs"), 1)
	mustSample(t, mfs, "etcd_monitor_cluster_consistent", lbl("cluster", "tls"), 1)
}

// With auth enabled the exporter logs in with the configured user; a user without read permission
// on "health" still counts as healthy, as with etcdctl endpoint health.
func TestAuthenticatedProbesAndPermissionDeniedCountsAsHealthy(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3, Auth: true})
	dir := t.TempDir()
	rootPW := filepath.Join(dir, "root-password")
	if err := os.WriteFile(rootPW, []byte(c.RootPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := c.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := root.UserAdd(ctx, "monitor", "monitor-pw-1234"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ETCDMON_TEST_MONITOR_PW", "monitor-pw-1234")

	e := startExporter(t, "clusters:\n"+
		clusterYAML("as-root", c, "username: root", "password_file: "+rootPW)+
		clusterYAML("as-monitor", c, "username: monitor", "password_env: ETCDMON_TEST_MONITOR_PW"), Options{})
	// Logging in is made in the background and etcd's password check is slow on purpose: on a
	// busy machine the first scrape may come before the logins end, so scrape until every
	// member answers (or give up and report the last scrape).
	healthy := func(mfs map[string]*dto.MetricFamily) bool {
		for _, ep := range c.Endpoints() {
			for _, cl := range []string{"as-root", "as-monitor"} {
				if v, _ := sample(mfs, "etcd_monitor_member_healthy", lbl("cluster", cl, "endpoint", ep)); v != 1 {
					return false
				}
			}
		}
		return true
	}
	mfs := scrapeMetrics(t, e, 10*time.Second)
	for deadline := time.Now().Add(30 * time.Second); !healthy(mfs) && time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		mfs = scrapeMetrics(t, e, 10*time.Second)
	}
	for _, ep := range c.Endpoints() {
		mustSample(t, mfs, "etcd_monitor_member_healthy", lbl("cluster", "as-root", "endpoint", ep), 1)
		mustSample(t, mfs, "etcd_monitor_member_healthy", lbl("cluster", "as-monitor", "endpoint", ep), 1)
	}
}

// A wrong password fails the probes with an error that names the problem, and the password shows
// nowhere: not in /metrics, not in /probe?debug=true, not in the log.
func TestPasswordNeverAppearsInMetricsDebugOutputOrLogs(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1, Auth: true})
	const wrong = "wrong-Password-8c1e5d"
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte(wrong), 0o600); err != nil {
		t.Fatal(err)
	}
	rootPWFile := filepath.Join(t.TempDir(), "root")
	if err := os.WriteFile(rootPWFile, []byte(c.RootPassword), 0o600); err != nil {
		t.Fatal(err)
	}
	e := startExporter(t, "clusters:\n"+
		clusterYAML("bad", c, "username: root", "password_file: "+pwFile)+
		clusterYAML("good", c, "username: root", "password_file: "+rootPWFile)+
		"probes:\n  canary: {enabled: true}\n", Options{})
	_, metrics := get(t, e.URL+"/metrics", 5*time.Second)
	_, debug := get(t, e.URL+"/probe?target=bad&debug=true", 5*time.Second)
	_, debugGood := get(t, e.URL+"/probe?target=good&debug=true", 5*time.Second)
	if !strings.Contains(debug, "authentication failed") {
		t.Errorf("debug output does not explain the failure:\n%s", debug)
	}
	for where, text := range map[string]string{"/metrics": metrics, "debug": debug + debugGood, "log": e.Log.String()} {
		for _, secret := range []string{wrong, c.RootPassword} {
			if strings.Contains(text, secret) {
				t.Errorf("%s shows a password", where)
			}
		}
	}
}

func TestCanaryWritesReadsWatchesAndDeletes(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	e := startExporter(t, "clusters:\n"+clusterYAML("main", c)+
		"probes:\n  canary: {enabled: true, prefix: /canary/, lease_ttl: 10s}\n", Options{})
	mfs := scrapeMetrics(t, e, 10*time.Second)
	mustSample(t, mfs, "etcd_monitor_canary_success", lbl("cluster", "main"), 1)
	for _, op := range []string{"put", "get", "delete"} {
		if _, ok := sample(mfs, "etcd_monitor_canary_duration_seconds", lbl("op", op)); !ok {
			t.Errorf("canary %s duration missing", op)
		}
	}
	if v, ok := sample(mfs, "etcd_monitor_canary_watch_delay_seconds", nil); !ok || v <= 0 {
		t.Errorf("watch delay = %g, %v", v, ok)
	}
	// Nothing is left behind: the key is deleted and its lease revoked.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cli := c.Client(t)
	resp, err := cli.Get(ctx, "/canary/", clientv3.WithPrefix())
	if err != nil || resp.Count != 0 {
		t.Errorf("canary keys left: %v, %v", resp, err)
	}
	// A member answers Leases from its own lessor, which applies the revoke when the member
	// applies it: wait for that rather than read a follower a moment behind.
	for {
		leases, err := cli.Leases(ctx)
		if err == nil && len(leases.Leases) == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("canary leases left: %v, %v", leases, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// With etcd auth, making a client means logging in, which waits for the member. A stopped member
// must not hold the scrape past its deadline (dial_timeout here is far longer than the scrape's),
// and the members that answer are reported as usual.
func TestStoppedMemberWithAuthDoesNotHoldTheScrape(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3, Auth: true})
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte(c.RootPassword), 0o600); err != nil {
		t.Fatal(err)
	}
	down := c.Members[2]
	down.Stop(t)
	e := startExporter(t, "clusters:\n  - name: main\n    endpoints: ["+strings.Join(c.Endpoints(), ", ")+"]\n"+
		"    username: root\n    password_file: "+pw+"\n    dial_timeout: 60s\n    request_timeout: 1s\n", Options{})
	// get's HTTP client gives up 20s after the 3s scrape timeout, well before the 60s login wait.
	mfs := scrapeMetrics(t, e, 3*time.Second)
	mustSample(t, mfs, "etcd_monitor_member_up", lbl("endpoint", down.ClientURL), 0)
	for _, m := range c.Members[:2] {
		mustSample(t, mfs, "etcd_monitor_member_up", lbl("endpoint", m.ClientURL), 1)
		mustSample(t, mfs, "etcd_monitor_member_healthy", lbl("endpoint", m.ClientURL), 1)
	}
	mustSample(t, mfs, "etcd_monitor_cluster_has_leader", lbl("cluster", "main"), 1)
}

// Neither a client key's content nor the password shows in /metrics, /probe?debug=true or the log,
// whether the member accepts the key, rejects its certificate, or refuses the connection.
func TestKeyFileContentNeverAppearsInMetricsDebugOutputOrLogs(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1, TLS: true})
	other := etcdtest.New(t, etcdtest.Config{Size: 1, TLS: true}).TLS
	f := c.TLS
	tlsLine := func(cert, key string) string {
		return "tls: {ca_file: " + f.CAFile + ", cert_file: " + cert + ", key_file: " + key + "}"
	}
	e := startExporter(t, "clusters:\n"+
		clusterYAML("good", c, tlsLine(f.ClientCertFile, f.ClientKeyFile))+
		clusterYAML("rejected", c, tlsLine(other.ClientCertFile, other.ClientKeyFile))+
		"  - name: refused\n    endpoints: [https://127.0.0.1:1]\n    "+tlsLine(f.ClientCertFile, f.ClientKeyFile)+"\n", Options{})
	text := map[string]string{}
	_, text["/metrics"] = get(t, e.URL+"/metrics", 5*time.Second)
	for _, name := range []string{"good", "rejected", "refused"} {
		_, text["debug "+name] = get(t, e.URL+"/probe?debug=true&target="+name, 5*time.Second)
	}
	text["log"] = e.Log.String()
	for _, keyFile := range []string{f.ClientKeyFile, other.ClientKeyFile} {
		pem, err := os.ReadFile(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(pem)), "\n")
		for where, s := range text {
			if strings.Contains(s, "PRIVATE KEY") {
				t.Errorf("%s shows a PEM key header", where)
			}
			for _, l := range lines[1 : len(lines)-1] {
				if strings.Contains(s, l) {
					t.Errorf("%s shows a line of %s", where, keyFile)
				}
			}
		}
	}
}
