package ctl

import (
	"context"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

func TestOneShotPrintsWhatEtcdctlPrintsAndExitsAsItExits(t *testing.T) {
	p := startProxy(t, nil)
	s := p.session(t, p.admin, "c1")
	k := uniquePrefix(t) + "k"
	cases := []struct {
		words          []string
		code           int
		stdout, stderr string
	}{
		{[]string{"put", k, "hello world"}, 0, "OK\n", ""},
		{[]string{"get", k}, 0, k + "\nhello world\n", ""},
		{[]string{"get", k, "--print-value-only"}, 0, "hello world\n", ""},
		{[]string{"put", k, "it's $HOME; a | b"}, 0, "OK\n", ""},
		{[]string{"get", k, "--print-value-only"}, 0, "it's $HOME; a | b\n", ""},
		{[]string{"put", k, "two\nlines"}, 0, "OK\n", ""},
		{[]string{"get", k, "--print-value-only"}, 0, "two\nlines\n", ""},
		{[]string{"get", k + "\n"}, 128, "", "Error: argument 2 holds a line break; the console takes one command line (put reads a multi-line value from stdin)\n"},
		{[]string{"del", k}, 0, "1\n", ""},
		{[]string{"get", k}, 0, "", ""},
		{[]string{"get", k, "--foo"}, 1, "", "Error: unknown flag: --foo\n"},
		{[]string{"get"}, 128, "", "Error: get command needs one argument as key and an optional argument as range_end\n"},
		{[]string{"frobnicate"}, 1, "", "Error: unknown command \"frobnicate\" for \"etcdctl\"\n"},
	}
	for _, tc := range cases {
		code, stdout, stderr := s.run(t, tc.words...)
		if code != tc.code || stdout != tc.stdout || stderr != tc.stderr {
			t.Errorf("%q: exit %d\nstdout %q\nstderr %q\nwant exit %d\nstdout %q\nstderr %q", tc.words, code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
		}
	}
	code, stdout, _ := s.run(t, "get", k+"-json", "-w", "json")
	if code != 0 || !strings.HasPrefix(stdout, `{"header":{"cluster_id":`) {
		t.Errorf("get -w json: exit %d stdout %q", code, stdout)
	}
}

func TestOneShotSendsStdinToTxnAndToPutWithoutAValue(t *testing.T) {
	p := startProxy(t, nil)
	s := p.session(t, p.admin, "c1")
	s.StdinIsTerminal = false
	k := uniquePrefix(t) + "k"

	s.Stdin = strings.NewReader("from stdin\n")
	if code, stdout, stderr := s.run(t, "put", k); code != 0 || stdout != "OK\n" {
		t.Fatalf("put from stdin: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	s.Stdin = strings.NewReader("")
	if code, stdout, _ := s.run(t, "get", k, "--print-value-only"); code != 0 || stdout != "from stdin\n\n" {
		t.Fatalf("the value put from stdin: %q, want etcdctl's (all of stdin, its newline included)", stdout)
	}

	s.Stdin = strings.NewReader("value(\"" + k + "\") = \"from stdin\\n\"\n\nput " + k + "-txn yes\n\nput " + k + "-txn no\n\n")
	code, stdout, stderr := s.run(t, "txn")
	if code != 0 || stdout != "SUCCESS\n\nOK\n" {
		t.Fatalf("txn from stdin: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
}

func TestOneShotRefusalsNameWhatWasRefusedAndNeverTheToken(t *testing.T) {
	p := startProxy(t, nil)
	prefix := uniquePrefix(t)
	editor := p.token(t, opsproxy.TokenSpec{Name: "ctl-editor", Role: "editor", KeyPrefixes: []string{prefix + "mine/"}})
	viewer := p.token(t, opsproxy.TokenSpec{Name: "ctl-viewer", Role: "viewer"})
	elsewhere := p.token(t, opsproxy.TokenSpec{Name: "ctl-elsewhere", Role: "admin", Clusters: []string{"c2"}})
	cases := []struct {
		name, token string
		words       []string
		want        string
	}{
		{"editor outside its prefixes", editor, []string{"put", prefix + "theirs/k", "v"}, prefix + "mine/"},
		{"viewer writing", viewer, []string{"put", prefix + "mine/k", "v"}, "viewer"},
		{"admin of another cluster", elsewhere, []string{"get", "/k"}, `may not act on cluster "c1"`},
		{"an etcdctl connection flag", p.admin, []string{"get", "/k", "--endpoints", "http://elsewhere:2379"}, "--endpoints"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := p.session(t, tc.token, "c1").run(t, tc.words...)
			if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "Error: ") || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d stdout %q stderr %q, want exit 1 and an error naming %q", code, stdout, stderr, tc.want)
			}
			if strings.Contains(stderr, tc.token) {
				t.Fatalf("the error shows the token: %q", stderr)
			}
		})
	}
	if code, _, _ := p.session(t, editor, "c1").run(t, "put", prefix+"mine/k", "v"); code != 0 {
		t.Fatalf("editor within its prefix: exit %d", code)
	}
}

func TestDefaultClusterIsTheOnlyOneOrTheErrorNamesThem(t *testing.T) {
	c := etcdtest.Shared(t)
	p := startProxy(t, map[string]*embedetcd.Cluster{"east": c, "west": c})
	s := p.session(t, p.admin, "")
	if _, err := s.Client.DefaultCluster(context.Background()); err == nil || !strings.Contains(err.Error(), "[east west]") || !strings.Contains(err.Error(), "ETCD_MONITOR_CLUSTER") {
		t.Fatalf("two clusters: %v", err)
	}
	westOnly := p.token(t, opsproxy.TokenSpec{Name: "west-only", Role: "viewer", Clusters: []string{"west"}})
	if got, err := p.session(t, westOnly, "").Client.DefaultCluster(context.Background()); err != nil || got != "west" {
		t.Fatalf("a token of one cluster: %q %v", got, err)
	}
}

// check perf goes to the console like every command; its refusals come back as etcdctl's
// exit codes (the enqueueing itself is tested in opsproxy, where no worker runs the load).
func TestOneShotCheckPerfRefusalsExitAsEtcdctl(t *testing.T) {
	p := startProxy(t, nil)
	viewer := p.token(t, opsproxy.TokenSpec{Name: "ctl-perf-viewer", Role: "viewer"})
	for _, tc := range []struct {
		token string
		words []string
		code  int
		want  string
	}{
		{p.admin, []string{"check", "perf", "--load", "xxl"}, 4, `Error: --load: profile "xxl": no such profile`},
		{p.admin, []string{"check", "perf", "--prefix", "/mine/"}, 128, "Error: --prefix: not available in the console"},
		{viewer, []string{"check", "perf"}, 1, "viewer"},
	} {
		code, stdout, stderr := p.session(t, tc.token, "c1").run(t, tc.words...)
		if code != tc.code || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d stdout %q stderr %q, want exit %d and %q", tc.words, code, stdout, stderr, tc.code, tc.want)
		}
	}
}
