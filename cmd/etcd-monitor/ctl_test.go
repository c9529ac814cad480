package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
)

// ctlProxy starts a one-member etcd cluster and the demo's opsproxy for it (cluster "demo"), and
// returns opsproxy's URL and a file holding its admin token.
func ctlProxy(t *testing.T) (url, tokenFile string) {
	t.Helper()
	dir := t.TempDir()
	cluster, err := embedetcd.Start(embedetcd.Config{Dir: filepath.Join(dir, "etcd"), Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	srv, token, err := startDemoOpsproxy(context.Background(), dir, cluster.Endpoints(), "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	tokenFile = filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return ts.URL, tokenFile
}

func TestCtlNamesTheMissingSettingAndNeverPrintsTheToken(t *testing.T) {
	const secret = "emt_not-for-your-eyes"
	t.Setenv("ETCD_MONITOR_URL", "")
	t.Setenv("ETCD_MONITOR_TOKEN", "")
	t.Setenv("ETCD_MONITOR_CLUSTER", "")
	code, out := captureOutput(t, func() int { return run([]string{"ctl", "--url", "http://127.0.0.1:9", "get", "/k"}) })
	if code != 1 || out != "Error: no token: set --token-file (or ETCD_MONITOR_TOKEN_FILE) or ETCD_MONITOR_TOKEN\n" {
		t.Fatalf("without a token: exit %d, output %q", code, out)
	}
	t.Setenv("ETCD_MONITOR_TOKEN", secret)
	code, out = captureOutput(t, func() int { return run([]string{"ctl", "get", "/k"}) })
	if code != 1 || !strings.Contains(out, "set --url or ETCD_MONITOR_URL") {
		t.Fatalf("without a URL: exit %d, output %q", code, out)
	}
	// Nothing listens on the discard port: a connection failure, exit 2 as etcdctl's.
	code, out = captureOutput(t, func() int { return run([]string{"ctl", "--url", "http://127.0.0.1:9", "--cluster", "a", "get", "/k"}) })
	if code != 2 || !strings.HasPrefix(out, "Error: cannot reach opsproxy at http://127.0.0.1:9: ") || strings.Contains(out, secret) {
		t.Fatalf("opsproxy unreachable: exit %d, output %q", code, out)
	}
}

func TestCtlSavesASnapshotIntoALocalFile(t *testing.T) {
	url, tokenFile := ctlProxy(t)
	path := filepath.Join(t.TempDir(), "backup.db")
	// The only cluster is the default one.
	code, out := captureOutput(t, func() int {
		return run([]string{"ctl", "--url", url, "--token-file", tokenFile, "snapshot", "save", path})
	})
	if code != 0 || !strings.HasPrefix(out, "Snapshot saved at "+path+"\n") {
		t.Fatalf("exit %d, output %q", code, out)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("snapshot file: %v %v", fi, err)
	}
}

func TestCtlPassesEtcdctlsWordsThroughAndExitsWithItsCode(t *testing.T) {
	url, tokenFile := ctlProxy(t)
	ctl := func(words ...string) (int, string) {
		return captureOutput(t, func() int {
			return run(append([]string{"ctl", "--url", url, "--token-file", tokenFile, "--cluster", "demo"}, words...))
		})
	}
	if code, out := ctl("put", "/ctl/a b", "x y"); code != 0 || out != "OK\n" {
		t.Fatalf("put: exit %d, output %q", code, out)
	}
	if code, out := ctl("get", "/ctl/", "--prefix", "-w", "simple", "--keys-only"); code != 0 || out != "/ctl/a b\n\n" {
		t.Fatalf("get --prefix --keys-only: exit %d, output %q", code, out)
	}
	if code, out := ctl("--", "get", "/ctl/a b", "--print-value-only"); code != 0 || out != "x y\n" {
		t.Fatalf("get after --: exit %d, output %q", code, out)
	}
	if code, out := ctl("get", "/ctl/", "--no-such-flag"); code != 1 || out != "Error: unknown flag: --no-such-flag\n" {
		t.Fatalf("an unknown etcdctl flag: exit %d, output %q", code, out)
	}
	if code, out := ctl("get"); code != 128 || !strings.HasPrefix(out, "Error: get command needs one argument") {
		t.Fatalf("a missing argument: exit %d, output %q", code, out)
	}
}

// TestCtlBinaryPrintsWhatCtlPrints builds etcd-monitor-ctl, the small binary of ctl alone, and
// runs the same etcdctl words through it and through `etcd-monitor ctl`: the same output and
// the same exit code, so a script may use either.
func TestCtlBinaryPrintsWhatCtlPrints(t *testing.T) {
	url, tokenFile := ctlProxy(t)
	bin := filepath.Join(t.TempDir(), "etcd-monitor-ctl")
	if out, err := exec.Command("go", "build", "-o", bin, "../etcd-monitor-ctl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	flags := []string{"--url", url, "--token-file", tokenFile, "--cluster", "demo"}
	if code, out := captureOutput(t, func() int { return run(append([]string{"ctl"}, append(flags, "put", "/small/k", "v")...)) }); code != 0 {
		t.Fatalf("put: exit %d, output %q", code, out)
	}
	for _, words := range [][]string{
		{"get", "/small/k"},
		{"get", "/small/", "--prefix", "-w", "json"},
		{"get", "/small/", "--prefix", "--keys-only", "-w", "fields"},
		{"-w", "table", "get", "/small/k"},
		{"get", "/small/", "--no-such-flag"},
		{"get"},
		{"lease", "timetolive", "zz"},
	} {
		wantCode, want := captureOutput(t, func() int { return run(append([]string{"ctl"}, append(flags, words...)...)) })
		cmd := exec.Command(bin, append(flags, words...)...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != wantCode || out.String() != want {
			t.Errorf("%q: etcd-monitor-ctl exit %d, output %q; etcd-monitor ctl exit %d, output %q", words, code, out.String(), wantCode, want)
		}
	}
}
