package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	// A test that needs this binary as etcd-monitor itself (a child process) sets this.
	if os.Getenv("ETCD_MONITOR_TEST_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// captureOutput runs fn with os.Stdout and os.Stderr sent to a buffer.
func captureOutput(t *testing.T, fn func() int) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = w, w
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() { _, _ = io.Copy(&buf, r); close(done) }()
	code := fn()
	os.Stdout, os.Stderr = stdout, stderr
	w.Close()
	<-done
	return code, buf.String()
}

func TestExporterConfigCheckNamesTheFieldAndExitsNonZero(t *testing.T) {
	cases := []struct {
		file string
		code int
		want string
	}{
		{"../../exporter/testdata/valid.yml", 0, "OK, 2 cluster(s)"},
		{"../../exporter/testdata/invalid-cluster-endpoints-empty.yml", 1, "clusters[1].endpoints: must not be empty"},
		{"../../exporter/testdata/no-such-file.yml", 1, "no such file or directory"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			code, out := captureOutput(t, func() int {
				return run([]string{"exporter", "--config.file=" + tc.file, "--config.check"})
			})
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, output:\n%s\nwant exit %d and %q", code, out, tc.code, tc.want)
			}
		})
	}
}

func TestUnknownFlagExitsNonZero(t *testing.T) {
	code, out := captureOutput(t, func() int { return run([]string{"exporter", "--no-such-flag"}) })
	if code == 0 || !strings.Contains(out, "no-such-flag") {
		t.Fatalf("exit %d, output %q", code, out)
	}
}

// The demo brings up etcd and the exporter, prints where they are and what they say, and stops
// cleanly by itself.
func TestDemoStartsClusterAndExporterAndStopsCleanly(t *testing.T) {
	addr, opsAddr := freeAddr(t), freeAddr(t)
	code, out := captureOutput(t, func() int {
		return run([]string{"demo", "--web.listen-address=" + addr, "--opsproxy.listen-address=" + opsAddr,
			"--exit-after=8s", "--log.level=warn", "--no-monitoring"})
	})
	if code != 0 {
		t.Fatalf("demo exited %d:\n%s", code, out)
	}
	for _, want := range []string{
		"http://" + addr + "/metrics",
		"/probe?target=demo",
		`etcd_monitor_cluster_has_leader{cluster="demo"} 1`,
		`etcd_monitor_cluster_healthy_voters{cluster="demo"} 3`,
		"http://" + opsAddr + "/api/v1",
		"export TOKEN=emt_",
		"console:        http://" + opsAddr + "/ui/",
		`"world"`,
		"disk agents:    m0=http://127.0.0.1:",
		"/clusters/demo/disk-agents",
		"stopped.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestAuditAndStoreCommandsAreRegistered(t *testing.T) {
	key := t.TempDir() + "/audit.key"
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"audit", "keygen", "--out", key}, 0, "public key written to " + key + ".pub"},
		{[]string{"store", "migrate"}, 2, "--store.dsn is required"},
	}
	for _, tc := range tests {
		code, out := captureOutput(t, func() int { return run(tc.args) })
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Fatalf("%v: exit %d, output:\n%s\nwant exit %d and %q", tc.args, code, out, tc.code, tc.want)
		}
	}
}

// `etcd-monitor bench` takes etcd benchmark's command line, which kingpin never sees.
func TestBenchCommandIsDispatched(t *testing.T) {
	code, out := captureOutput(t, func() int { return run([]string{"bench", "put", "--total=0"}) })
	if code != 1 || !strings.Contains(out, "--total: must be positive") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
	code, out = captureOutput(t, func() int { return run([]string{"bench", "foo"}) })
	if code != 255 || !strings.Contains(out, `unknown command "foo" for "etcd-monitor bench"`) {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}
