package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/benchrunner/slo"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// tinyProfiles are custom profiles small enough for a test: a few dozen puts at a low rate.
// "tiny-pass" has rules any machine meets; "tiny-fail" has rules none does; "slow" would run
// for a minute unless interrupted.
const tinyProfiles = `profiles:
  - name: tiny-pass
    description: a handful of puts
    runs:
      - command: put
        duration: 2s
        flags: {rate: "10", clients: "2", conns: "1"}
    rules: {min_throughput: 0.5, max_slowest: 30s, max_errors: 0}
  - name: tiny-fail
    runs:
      - command: put
        duration: 1s
        flags: {rate: "10"}
    rules: {min_throughput: 1000000, max_p99: 1ns}
  - name: slow
    runs:
      - command: put
        duration: 60s
        flags: {rate: "5"}
`

func profilesFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "profiles.yml")
	if err := os.WriteFile(path, []byte(tinyProfiles), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runBench(ctx context.Context, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := bench(ctx, args, benchrunner.IO{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
	return code, stdout.String(), stderr.String()
}

func prefixKeys(t *testing.T, cli *clientv3.Client, prefix string) int64 {
	t.Helper()
	resp, err := cli.Get(context.Background(), prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	return resp.Count
}

// TestBenchCheckPassesATinyProfile runs against an etcd with authentication: the password
// given on the command line must not show in the output.
func TestBenchCheckPassesATinyProfile(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Auth: true})
	cfg := c.ClientConfig()
	code, out, errOut := runBench(context.Background(), "check", "--profiles", profilesFile(t), "--profile", "tiny-pass",
		"--endpoints", strings.Join(cfg.Endpoints, ","), "--user", "root:"+c.RootPassword, "--prefix", "/slo-test/")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"Profile tiny-pass: a handful of puts", "Run 1/1: put at 10/s for 2s (2 clients)", "Summary:",
		"PASS: throughput", "PASS: slowest", "PASS: errors 0 ≤ 0", "Runner CPU:", "\nPASS\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, c.RootPassword) {
		t.Error("the password shows in the output")
	}
	if n := prefixKeys(t, c.Client(t), "/slo-test/"); n != 0 {
		t.Errorf("%d keys left under the prefix", n)
	}
}

func TestBenchCheckFailsNamingTheRule(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{})
	cfg := c.ClientConfig()
	code, out, errOut := runBench(context.Background(), "check", "--profiles", profilesFile(t), "--profile=tiny-fail",
		"--endpoints="+strings.Join(cfg.Endpoints, ","), "-w", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	var doc struct {
		Profile string                `json:"profile"`
		Reports []*benchrunner.Report `json:"reports"`
		Verdict slo.Verdict           `json:"verdict"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("-w json: %v\n%s", err, out)
	}
	if doc.Profile != "tiny-fail" || len(doc.Reports) != 1 || doc.Verdict.Pass {
		t.Fatalf("document %+v", doc)
	}
	failed := map[string]string{}
	for _, ch := range doc.Verdict.Checks {
		if !ch.Pass {
			failed[ch.Rule] = ch.Message
		}
	}
	if !strings.Contains(failed["min throughput"], "< 1000000/s: short by") || !strings.Contains(failed["p99"], "> 1ns: over by") || !strings.Contains(failed["p99"], "× the limit") {
		t.Errorf("failed checks %v: want min throughput and p99 named with their shortfall", failed)
	}
	if n := prefixKeys(t, c.Client(t), benchrunner.DefaultPrefix); n != 0 {
		t.Errorf("%d keys left under the prefix", n)
	}
}

func TestBenchCheckRefusesAPrefixWithKeys(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{})
	cli := c.Client(t)
	if _, err := cli.Put(context.Background(), "/mine/precious", "keep"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runBench(context.Background(), "check", "--profiles", profilesFile(t), "--profile", "tiny-pass",
		"--endpoints", strings.Join(c.ClientConfig().Endpoints, ","), "--prefix", "/mine/")
	if code != 1 || !strings.Contains(errOut, `prefix "/mine/" holds 1 keys`) || strings.Contains(out, "PASS") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	resp, err := cli.Get(context.Background(), "/mine/precious")
	if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "keep" {
		t.Errorf("the existing key was touched: %v %v", resp, err)
	}
}

// TestBenchCheckInterruptedCleansUp cancels the run (as Ctrl-C does) once its first key is
// written: the verdict fails, the exit status is 130 and no key is left.
func TestBenchCheckInterruptedCleansUp(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{})
	cli := c.Client(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watch := cli.Watch(ctx, benchrunner.DefaultPrefix, clientv3.WithPrefix())
	go func() {
		for resp := range watch {
			if len(resp.Events) > 0 {
				cancel()
				return
			}
		}
	}()
	code, out, errOut := runBench(ctx, "check", "--profiles", profilesFile(t), "--profile", "slow",
		"--endpoints", strings.Join(c.ClientConfig().Endpoints, ","))
	if code != 130 {
		t.Fatalf("exit %d, want 130\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "FAIL: run 1 (put) stopped early") || !strings.HasSuffix(out, "FAIL\n") {
		t.Errorf("output:\n%s", out)
	}
	if n := prefixKeys(t, cli, benchrunner.DefaultPrefix); n != 0 {
		t.Errorf("%d keys left under the prefix", n)
	}
}

// TestBenchCheckFailsWhenTheClusterGoesAway stops the only member once the first key is
// written: the engine gives up on the lost cluster, the verdict fails with the run named as
// cut short, and the status is 1.
func TestBenchCheckFailsWhenTheClusterGoesAway(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{})
	cli := c.Client(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watch := cli.Watch(ctx, benchrunner.DefaultPrefix, clientv3.WithPrefix())
	go func() {
		for resp := range watch {
			if len(resp.Events) > 0 {
				c.Members[0].Stop(t)
				return
			}
		}
	}()
	code, out, errOut := runBench(context.Background(), "check", "--profiles", profilesFile(t), "--profile", "slow",
		"--endpoints", strings.Join(c.ClientConfig().Endpoints, ","))
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "FAIL: run 1 (put) stopped early") || !strings.HasSuffix(out, "FAIL\n") {
		t.Errorf("output:\n%s", out)
	}
	if !strings.Contains(errOut, "cluster lost") {
		t.Errorf("stderr should say the cluster was lost:\n%s", errOut)
	}
}

func TestBenchCheckBadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(bad, []byte("profiles:\n  - name: x\n    runs: [{command: put, flags: {rte: \"1\"}}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown profile", []string{"--profile", "huge"}, 1, `--profile: profile "huge": no such profile`},
		{"bad profiles file", []string{"--profiles", bad}, 1, "profiles[0].runs[0].flags: unknown flag: --rte"},
		{"missing profiles file", []string{"--profiles", filepath.Join(t.TempDir(), "absent.yml")}, 1, "absent.yml"},
		{"unknown flag", []string{"--load", "s"}, 255, "unknown flag: --load"},
		{"argument", []string{"s"}, 255, `unexpected argument "s"`},
		{"bad output format", []string{"-w", "xml"}, 1, "--write-out: must be simple or json"},
		{"no endpoint", []string{"--endpoints", ""}, 1, "--endpoints: no endpoint given"},
		{"unreachable", []string{"--endpoints", "127.0.0.1:1", "--dial-timeout", "200ms"}, 1, "127.0.0.1:1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runBench(context.Background(), append([]string{"check"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, want %d; stderr %q, want %q; stdout %q", code, tc.code, errOut, tc.want, out)
			}
		})
	}
}

func TestBenchCheckListsProfiles(t *testing.T) {
	code, out, _ := runBench(context.Background(), "check", "--list", "--profiles", profilesFile(t))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"tiny-pass", "k8s-large", "put at 15000/s for 1m0s (1000 clients)", "etcdctl check perf --load=xl"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
}
