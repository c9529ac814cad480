package benchrunner

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// runMain runs the CLI and returns its exit status, stdout and stderr.
func runMain(ctx context.Context, stdin string, stderr *lockedBuffer, args ...string) (int, string, string) {
	var out strings.Builder
	if stderr == nil {
		stderr = &lockedBuffer{}
	}
	code := Main(ctx, args, IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: stderr})
	return code, out.String(), stderr.String()
}

// lockedBuffer is a stderr the progress goroutine and the test may share; onWrite, when set,
// sees each write.
type lockedBuffer struct {
	mu      sync.Mutex
	b       strings.Builder
	onWrite func(string)
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.onWrite != nil {
		l.onWrite(string(p))
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// recorded is etcd 3.6 benchmark's stderr for the same mistake (testdata), with the tool's
// name ours.
func recorded(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.ReplaceAll(string(b), "benchmark", toolName), "\n")
}

func TestCLIUnknownCommandAsEtcdsTool(t *testing.T) {
	code, out, errOut := runMain(context.Background(), "", nil, "foo")
	if want := strings.Join(recorded(t, "etcd-3.6-unknown-command.txt"), "\n"); code != exitUsage || errOut != want || out != "" {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 255 and:\n%s", code, errOut, want)
	}
}

func TestCLIFlagErrorsAsEtcdsTool(t *testing.T) {
	for _, tc := range []struct {
		file string
		args []string
	}{
		{"etcd-3.6-unknown-flag.txt", []string{"put", "--bogus=1"}},
		{"etcd-3.6-bad-value.txt", []string{"put", "--total=abc"}},
	} {
		code, _, errOut := runMain(context.Background(), "", nil, tc.args...)
		got, want := strings.Split(errOut, "\n"), recorded(t, tc.file)
		// The first two lines (error, "Usage:"), the usage line, and the closing error line
		// from etcd's main; the flag list between differs by our -w and --prefix.
		same := len(got) > 4 && got[0] == want[0] && got[1] == want[1] && got[2] == want[2] &&
			got[len(got)-2] == want[len(want)-2] && got[len(got)-3] == ""
		if code != exitUsage || !same {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit 255 and etcd's:\n%s", tc.args, code, errOut, strings.Join(want, "\n"))
		}
	}
}

func TestCLIUsageAndHelp(t *testing.T) {
	code, _, errOut := runMain(context.Background(), "", nil, "range")
	if code != exitFailed || !strings.HasPrefix(errOut, "Usage:\n  etcd-monitor bench range key [end-range] [flags]\n") {
		t.Errorf("range without a key: exit %d, stderr:\n%s", code, errOut)
	}
	code, out, _ := runMain(context.Background(), "", nil)
	if code != exitOK || !strings.Contains(out, "Available Commands:\n") || !strings.Contains(out, "  watch-latency   Benchmark watch latency\n") ||
		!strings.Contains(out, "\n  check           Run an SLO profile") || !strings.Contains(out, "\n  report          Write one self-contained HTML page") {
		t.Errorf("no command: exit %d, stdout:\n%s", code, out)
	}
	code, out, _ = runMain(context.Background(), "", nil, "txn-put", "--help")
	if code != exitOK || !strings.Contains(out, "--txn-ops int") || !strings.Contains(out, "Global Flags:") {
		t.Errorf("txn-put --help: exit %d, stdout:\n%s", code, out)
	}
	code, out, _ = runMain(context.Background(), "", nil, "help", "watch")
	if code != exitOK || !strings.Contains(out, "--watch-per-stream int") {
		t.Errorf("help watch: exit %d, stdout:\n%s", code, out)
	}
	code, _, errOut = runMain(context.Background(), "", nil, "put", "-w", "yaml")
	if code != exitFailed || !strings.Contains(errOut, "--write-out") {
		t.Errorf("-w yaml: exit %d, stderr:\n%s", code, errOut)
	}
}

// Both spellings of a flag (--total=100 and --total 100), global flags before or after the
// command, -w json with the effective parameters; the password given with --user (after a
// colon or on stdin) appears nowhere in the output.
func TestCLIRunsWithEtcdsFlagSpellingsAndKeepsThePasswordOut(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1, Auth: true})
	ep := c.Members[0].ClientURL
	pw := c.RootPassword
	code, out, errOut := runMain(context.Background(), "", nil,
		"--endpoints="+ep, "--user", "root:"+pw, "put", "--total", "40", "--key-size=4", "--clients", "2", "-w", "json")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	var rep Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("-w json: %v\n%s", err, out)
	}
	if rep.Requests != 40 || rep.Parameters["total"] != "40" || rep.Parameters["key-size"] != "4" || rep.Parameters["clients"] != "2" || rep.Parameters["val-size"] != "8" {
		t.Errorf("requests %d, parameters %v", rep.Requests, rep.Parameters)
	}
	if strings.Contains(out, pw) || strings.Contains(errOut, pw) {
		t.Error("the password is in the output")
	}

	code, out, errOut = runMain(context.Background(), pw+"\n", nil,
		"range", "/k", "--total=30", "--consistency", "s", "--endpoints", ep, "--user=root")
	if code != exitOK || !strings.HasPrefix(out, "bench with serializable range\n\nSummary:\n") {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "progress: 30/30 (100%)") {
		t.Errorf("no plain progress line off a terminal:\n%s", errOut)
	}
	if strings.Contains(out, pw) || strings.Contains(errOut, pw) {
		t.Error("the password is in the output")
	}

	code, _, errOut = runMain(context.Background(), "", nil, "put", "--total", "5", "--endpoints", ep, "--user", "root:wrong")
	if code != exitFailed || !strings.Contains(errOut, "authentication failed") || strings.Contains(errOut, "wrong") {
		t.Errorf("wrong password: exit %d, stderr:\n%s", code, errOut)
	}
}

// Ctrl-C (the context main cancels on SIGINT) prints the report so far and exits 130.
func TestCLIInterruptPrintsThePartialReport(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &lockedBuffer{onWrite: func(s string) {
		if strings.HasPrefix(s, "progress: ") && !strings.HasPrefix(s, "progress: 0/") {
			cancel()
		}
	}}
	code, out, errOut := runMain(ctx, "", stderr, "put", "--endpoints", c.Members[0].ClientURL, "--total", "1000000", "--rate", "200", "--prefix", "/cli-interrupt/")
	if code != exitInterrupted || !strings.Contains(out, "\nSummary:\n") || !strings.Contains(out, "\nPartial run (") {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if n := prefixCount(t, c.Client(t), "/cli-interrupt/"); n != 0 {
		t.Errorf("%d keys left after the interrupt", n)
	}
}

// etcd's TLS flags: a client certificate, its key and the CA.
func TestCLIConnectsWithTLSFlags(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1, TLS: true})
	tlsFiles := c.TLS
	code, out, errOut := runMain(context.Background(), "", nil, "put", "--total", "20",
		"--endpoints", c.Members[0].ClientURL, "--cert", tlsFiles.ClientCertFile, "--key", tlsFiles.ClientKeyFile, "--cacert", tlsFiles.CAFile)
	if code != exitOK || !strings.Contains(out, "\nSummary:\n") {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, _, errOut = runMain(context.Background(), "", nil, "put", "--total", "20", "--dial-timeout", "2s",
		"--endpoints", c.Members[0].ClientURL, "--cacert", tlsFiles.CAFile)
	if code != exitFailed || !strings.Contains(errOut, "dial error") {
		t.Errorf("without a client certificate: exit %d, stderr:\n%s", code, errOut)
	}
}
