package exporter

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

func post(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestReloadAppliesNewFileAndKeepsOldOnBadFile(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := startExporter(t, "clusters:\n"+clusterYAML("first", c), Options{EnableLifecycle: true})
	if _, ok := e.lookup("first"); !ok {
		t.Fatal("cluster first not loaded")
	}
	kept := e.snapshot()[0]

	// A new cluster is added; the unchanged one keeps its state (same target).
	if err := os.WriteFile(e.ConfigFile, []byte("clusters:\n"+clusterYAML("first", c)+clusterYAML("second", c)), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, body := post(t, e.URL+"/-/reload"); code != http.StatusOK {
		t.Fatalf("reload: HTTP %d %s", code, body)
	}
	if _, ok := e.lookup("second"); !ok {
		t.Fatal("cluster second not loaded after reload")
	}
	if e.snapshot()[0] != kept {
		t.Error("reload replaced an unchanged cluster")
	}
	mfs := scrapeMetrics(t, e, 5*time.Second)
	mustSample(t, mfs, "etcd_monitor_config_last_reload_successful", nil, 1)
	mustSample(t, mfs, "etcd_monitor_cluster_reachable", lbl("cluster", "second"), 1)

	// A bad file is refused with its error; the running configuration stays.
	if err := os.WriteFile(e.ConfigFile, []byte("clusters:\n  - name: broken\n    endpoints: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, body := post(t, e.URL+"/-/reload")
	if code != http.StatusInternalServerError || !strings.Contains(body, "clusters[0].endpoints: must not be empty") {
		t.Fatalf("bad reload: HTTP %d %s", code, body)
	}
	mfs = scrapeMetrics(t, e, 5*time.Second)
	mustSample(t, mfs, "etcd_monitor_config_last_reload_successful", nil, 0)
	mustSample(t, mfs, "etcd_monitor_cluster_reachable", lbl("cluster", "second"), 1)

	if code, _ := get(t, e.URL+"/-/reload", 0); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload: HTTP %d, want 405", code)
	}
}

func TestHealthReadyAndLandingPageAnswer(t *testing.T) {
	e := startExporter(t, "clusters:\n  - name: a\n    endpoints: [http://127.0.0.1:1]\n", Options{})
	for path, want := range map[string]string{"/-/healthy": "Healthy", "/-/ready": "Ready", "/": "/probe?target=a"} {
		code, body := get(t, e.URL+path, 0)
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("%s: HTTP %d, body does not contain %q", path, code, want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/metrics", nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "soon")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad scrape timeout header: HTTP %d, want 400", resp.StatusCode)
	}
}

// Without --web.enable-lifecycle, POST /-/reload is refused with the flag named, as Prometheus does.
func TestReloadOverHTTPNeedsTheLifecycleFlag(t *testing.T) {
	e := startExporter(t, "clusters:\n  - name: a\n    endpoints: [http://127.0.0.1:1]\n", Options{})
	code, body := post(t, e.URL+"/-/reload")
	if code != http.StatusForbidden || !strings.Contains(body, "--web.enable-lifecycle") {
		t.Errorf("POST /-/reload without the flag: HTTP %d %s; want 403 naming --web.enable-lifecycle", code, body)
	}
}

// A client certificate rotated under the same path is used after a reload, although the
// configuration file did not change: first a certificate of a CA the cluster does not trust, then a
// valid one written over it.
func TestReloadPicksUpAClientCertificateRotatedInPlace(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1, TLS: true})
	untrusted := etcdtest.New(t, etcdtest.Config{Size: 1, TLS: true}).TLS
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "client.crt"), filepath.Join(dir, "client.key")
	install := func(certFrom, keyFrom string) {
		t.Helper()
		for src, dst := range map[string]string{certFrom: cert, keyFrom: key} {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	install(untrusted.ClientCertFile, untrusted.ClientKeyFile)
	e := startExporter(t, "clusters:\n"+clusterYAML("tls", c,
		"tls: {ca_file: "+c.TLS.CAFile+", cert_file: "+cert+", key_file: "+key+"}"), Options{})
	ep := c.Endpoints()[0]
	mfs := scrapeMetrics(t, e, 10*time.Second)
	mustSample(t, mfs, "etcd_monitor_member_up", lbl("endpoint", ep), 0)
	mustSample(t, mfs, "etcd_monitor_member_probe_error", lbl("endpoint", ep, "reason", "tls_client_cert_rejected"), 1)

	install(c.TLS.ClientCertFile, c.TLS.ClientKeyFile)
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	mfs = scrapeMetrics(t, e, 10*time.Second)
	mustSample(t, mfs, "etcd_monitor_member_up", lbl("endpoint", ep), 1)
	mustSample(t, mfs, "etcd_monitor_member_healthy", lbl("endpoint", ep), 1)
	if _, ok := sample(mfs, "etcd_monitor_member_probe_error", lbl("endpoint", ep)); ok {
		t.Error("etcd_monitor_member_probe_error still reported after the rotation")
	}
}
