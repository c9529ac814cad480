package opsproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// ran is what a command printed and its exit code, from etcdctl or from the console.
type ran struct {
	stdout, stderr string
	code           int
}

// errorLine is the "Error: ..." line of stderr (etcdctl's logs and usage text are not
// compared), or "".
func (r ran) errorLine() string {
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "Error: ") {
			return l
		}
	}
	return ""
}

// normalizer rewrites what may differ between two runs of the same command (revisions that
// moved, raft indexes, timings, ids of things each run created).
type normalizer func(string) string

func replaceAll(pattern, with string) normalizer {
	re := regexp.MustCompile(pattern)
	return func(s string) string { return re.ReplaceAllString(s, with) }
}

var (
	normNone       normalizer = func(s string) string { return s }
	normHeaderJSON            = chain(replaceAll(`"revision":\d+`, `"revision":R`), replaceAll(`"raft_term":\d+`, `"raft_term":T`))
	normHeaderText            = chain(replaceAll(`"Revision" : \d+`, `"Revision" : R`), replaceAll(`"RaftTerm" : \d+`, `"RaftTerm" : T`))
	normTook                  = chain(replaceAll(`took = [^\n]+`, `took = T`), replaceAll(`"took":"[^"]*"`, `"took":"T"`), replaceAll(`"Took" : [^\n]+`, `"Took" : T`))
	normLeaseIDs              = chain(replaceAll(`"ID":\d+`, `"ID":L`), replaceAll(`"ID" : \d+`, `"ID" : L`), replaceAll(`\b[0-9a-f]{16}\b`, `LEASE`))
	normTTL                   = chain(replaceAll(`remaining\(\d+s\)`, `remaining(Ns)`), replaceAll(`"TTL":\d+`, `"TTL":N`), replaceAll(`"TTL" : \d+`, `"TTL" : N`))
	normMemberIDs             = chain(replaceAll(`Member +[0-9a-f]+ `, `Member M `), replaceAll(`"ID":\d+`, `"ID":M`), replaceAll(`"member_id":\d+`, `"member_id":M`))
	// Timings in a table change its column widths too.
	normTookTable = chain(replaceAll(`[\d.]+[µnm]?s\b`, `T`), replaceAll(`[ ─]+`, ` `))
	// An endpoint's status moves with every request (raft index, db size in use).
	normStatus = chain(normHeaderJSON, normHeaderText, replaceAll(`\d+(\.\d+)?`, `N`), replaceAll(`[ ─]+`, ` `))
)

func chain(ns ...normalizer) normalizer {
	return func(s string) string {
		for _, n := range ns {
			s = n(s)
		}
		return s
	}
}

// compatCase is one command run both ways: etcdctl (or etcdutl) with args and stdin, the
// console with line.
type compatCase struct {
	name  string
	tool  string // "etcdctl" (default) or "etcdutl"
	args  []string
	stdin string
	line  string
	norm  normalizer
}

// TestConsoleMatchesEtcdctl runs every supported command with the real etcdctl 3.7.3 and with
// the console against the same cluster and compares stdout (byte for byte, or after
// normalizing what moves between two runs), the error line and the exit code.
func TestConsoleMatchesEtcdctl(t *testing.T) {
	bin := etcdctlBinaries(t)
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := newEnv(t, envOptions{cluster: c.Cluster})
	cli := e.etcdClient(t)
	ctx := context.Background()
	const p = "/compat/"
	// d1/ and d2/ hold the same keys: etcdctl deletes one, the console the other.
	for k, v := range map[string]string{p + "a": "hello", p + "b": "2", p + "c": "3", p + "y": "v",
		p + "d1/x": "1", p + "d1/y": "2", p + "d2/x": "1", p + "d2/y": "2"} {
		if _, err := cli.Put(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	w, err := cli.Put(ctx, p+"w", "watched")
	if err != nil {
		t.Fatal(err)
	}
	lease, err := cli.Grant(ctx, 600)
	if err != nil {
		t.Fatal(err)
	}
	snapDir := filepath.Join(e.configDir, "snapshots")
	if err := os.MkdirAll(snapDir, 0o755); err != nil {
		t.Fatal(err)
	}
	eps := strings.Join(c.Endpoints(), ",")
	etcdctl := func(tool string, args []string, stdin string, timeout time.Duration) ran {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if tool == "etcdctl" {
			args = append([]string{"--endpoints=" + eps, "--dial-timeout=2s"}, args...)
		}
		cmd := exec.CommandContext(ctx, filepath.Join(bin, tool), args...)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "ETCDCTL_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		switch {
		case ctx.Err() != nil:
			// A watch: etcdctl runs until it is stopped; what it printed is compared.
		case errors.As(err, &ee):
			code = ee.ExitCode()
		case err != nil:
			t.Fatalf("%s %v: %v", tool, args, err)
		}
		return ran{stdout: out.String(), stderr: errOut.String(), code: code}
	}
	console := func(line string) ran {
		t.Helper()
		r, a := e.console(t, e.admin, line)
		if r.status != http.StatusOK {
			return ran{stderr: "Error: " + a.Error + "\n", code: a.ExitCode}
		}
		return ran{stdout: a.Stdout, stderr: a.Stderr, code: a.ExitCode}
	}
	check := func(t *testing.T, cc compatCase) {
		t.Helper()
		tool := cc.tool
		if tool == "" {
			tool = "etcdctl"
		}
		norm := cc.norm
		if norm == nil {
			norm = normNone
		}
		timeout := 15 * time.Second
		if len(cc.args) > 0 && cc.args[0] == "watch" {
			timeout = 2 * time.Second
		}
		want := etcdctl(tool, cc.args, cc.stdin, timeout)
		got := console(cc.line)
		if want.code != got.code {
			t.Errorf("exit code: etcdctl %d, console %d\netcdctl stderr: %s\nconsole stderr: %s", want.code, got.code, want.stderr, got.stderr)
		}
		if norm(want.stdout) != norm(got.stdout) {
			t.Errorf("stdout differs\netcdctl:\n%s\nconsole:\n%s", want.stdout, got.stdout)
		}
		if want.errorLine() != got.errorLine() {
			t.Errorf("error line: etcdctl %q, console %q", want.errorLine(), got.errorLine())
		}
	}
	id := fmt.Sprintf("%x", int64(lease.ID))
	txnIn := "mod(\"" + p + "a\") > \"0\"\n\nget " + p + "a\nput " + p + "t v\n\nget " + p + "b\n\n"
	cases := []compatCase{
		{name: "get", args: []string{"get", p + "a"}, line: "get " + p + "a"},
		{name: "get --prefix", args: []string{"get", p, "--prefix"}, line: "get " + p + " --prefix"},
		{name: "get json", args: []string{"get", p, "--prefix", "-w", "json"}, line: "get " + p + " --prefix -w json", norm: normHeaderJSON},
		{name: "get fields", args: []string{"get", p + "a", "-w", "fields"}, line: "get " + p + "a -w fields", norm: normHeaderText},
		{name: "get keys-only sorted", args: []string{"get", p, "--prefix", "--keys-only", "--sort-by=MODIFY", "--order=DESCEND", "--limit=2"}, line: "get " + p + " --prefix --keys-only --sort-by=MODIFY --order=DESCEND --limit=2"},
		{name: "get count-only", args: []string{"get", p, "--prefix", "--count-only", "-w", "fields"}, line: "get " + p + " --prefix --count-only -w fields", norm: normHeaderText},
		{name: "get print-value-only", args: []string{"get", p + "a", "--print-value-only"}, line: "get " + p + "a --print-value-only"},
		{name: "get range hex", args: []string{"get", p + "a", p + "c", "--hex"}, line: "get " + p + "a " + p + "c --hex"},
		{name: "get table refused", args: []string{"get", p + "a", "-w", "table"}, line: "get " + p + "a -w table"},
		{name: "get unknown flag", args: []string{"get", "--foo", p + "a"}, line: "get --foo " + p + "a"},
		{name: "get missing argument", args: []string{"get"}, line: "get"},
		{name: "get count-only needs fields", args: []string{"get", p, "--count-only"}, line: "get " + p + " --count-only"},
		{name: "get bad sort", args: []string{"get", p, "--sort-by=SIZE"}, line: "get " + p + " --sort-by=SIZE"},
		{name: "unknown command", args: []string{"frobnicate"}, line: "frobnicate"},
		{name: "put", args: []string{"put", p + "x", "v"}, line: "put " + p + "x v"},
		{name: "put prev-kv", args: []string{"put", p + "y", "v", "--prev-kv"}, line: "put " + p + "y v --prev-kv"},
		{name: "put from stdin", args: []string{"put", p + "z"}, stdin: "from stdin", line: "put " + p + "z\nfrom stdin"},
		{name: "put missing value", args: []string{"put", p + "z"}, line: "put " + p + "z"},
		{name: "put bad lease", args: []string{"put", p + "z", "v", "--lease=xyz"}, line: "put " + p + "z v --lease=xyz"},
		{name: "put json", args: []string{"put", p + "x", "v", "-w", "json"}, line: "put " + p + "x v -w json", norm: normHeaderJSON},
		{name: "del missing key", args: []string{"del", p + "nothing"}, line: "del " + p + "nothing"},
		{name: "del prefix prev-kv", args: []string{"del", p + "d1/", "--prefix", "--prev-kv"}, line: "del " + p + "d2/ --prefix --prev-kv",
			norm: replaceAll(`/d[12]/`, "/d/")},
		{name: "get at a revision", args: []string{"get", p + "a", fmt.Sprintf("--rev=%d", w.Header.Revision), "-w", "json"},
			line: fmt.Sprintf("get %sa --rev=%d -w json", p, w.Header.Revision), norm: normHeaderJSON},
		{name: "del fields", args: []string{"del", p + "nothing", "-w", "fields"}, line: "del " + p + "nothing -w fields", norm: normHeaderText},
		{name: "txn", args: []string{"txn"}, stdin: txnIn, line: "txn\n" + txnIn},
		{name: "txn json", args: []string{"txn", "-w", "json"}, stdin: txnIn, line: "txn -w json\n" + txnIn, norm: normHeaderJSON},
		{name: "txn failure branch", args: []string{"txn"}, stdin: "value(\"" + p + "a\") = \"nope\"\n\nget " + p + "a\n\nget " + p + "b\n\n",
			line: "txn\nvalue(\"" + p + "a\") = \"nope\"\n\nget " + p + "a\n\nget " + p + "b\n\n"},
		{name: "txn malformed compare", args: []string{"txn"}, stdin: "mod(" + p + "a) > 0\n\n\n\n", line: "txn\nmod(" + p + "a) > 0\n\n\n"},
		{name: "watch", args: []string{"watch", p + "w", fmt.Sprintf("--rev=%d", w.Header.Revision)},
			line: fmt.Sprintf("watch %sw --rev=%d --max-events=1", p, w.Header.Revision)},
		{name: "lease grant", args: []string{"lease", "grant", "100"}, line: "lease grant 100", norm: normLeaseIDs},
		{name: "lease timetolive", args: []string{"lease", "timetolive", id}, line: "lease timetolive " + id, norm: normTTL},
		{name: "lease timetolive json", args: []string{"lease", "timetolive", id, "--keys", "-w", "json"}, line: "lease timetolive " + id + " --keys -w json", norm: chain(normTTL, normHeaderJSON)},
		{name: "lease keep-alive once", args: []string{"lease", "keep-alive", "--once", id}, line: "lease keep-alive --once " + id},
		{name: "lease revoke not found", args: []string{"lease", "revoke", "1234abcd"}, line: "lease revoke 1234abcd"},
		{name: "lease timetolive bad id", args: []string{"lease", "timetolive", "zz"}, line: "lease timetolive zz"},
		{name: "member list", args: []string{"member", "list"}, line: "member list"},
		{name: "member list table", args: []string{"member", "list", "-w", "table"}, line: "member list -w table"},
		{name: "member list json", args: []string{"member", "list", "-w", "json"}, line: "member list -w json", norm: normHeaderJSON},
		{name: "member list fields hex", args: []string{"member", "list", "-w", "fields", "--hex"}, line: "member list -w fields --hex", norm: normHeaderText},
		{name: "member remove missing id", args: []string{"member", "remove"}, line: "member remove"},
		{name: "member add without peer urls", args: []string{"member", "add", "newbie"}, line: "member add newbie"},
		{name: "endpoint health", args: []string{"endpoint", "health"}, line: "endpoint health", norm: normTook},
		{name: "endpoint health cluster json", args: []string{"endpoint", "health", "--cluster", "-w", "json"}, line: "endpoint health --cluster -w json", norm: normTook},
		{name: "endpoint status", args: []string{"endpoint", "status"}, line: "endpoint status", norm: normStatus},
		{name: "endpoint status table", args: []string{"endpoint", "status", "-w", "table"}, line: "endpoint status -w table", norm: normStatus},
		{name: "endpoint hashkv", args: []string{"endpoint", "hashkv", fmt.Sprintf("--rev=%d", w.Header.Revision)}, line: fmt.Sprintf("endpoint hashkv --rev=%d", w.Header.Revision)},
		{name: "alarm list", args: []string{"alarm", "list"}, line: "alarm list"},
		{name: "alarm disarm", args: []string{"alarm", "disarm"}, line: "alarm disarm"},
		{name: "move-leader to no member", args: []string{"move-leader", "1234"}, line: "move-leader 1234"},
		{name: "version", args: []string{"version"}, line: "version"},
		{name: "get from-key", args: []string{"get", p + "b", "--from-key", "--keys-only"}, line: "get " + p + "b --from-key --keys-only"},
		{name: "get bad consistency", args: []string{"get", p + "a", "--consistency=x"}, line: "get " + p + "a --consistency=x"},
		{name: "get prefix and from-key", args: []string{"get", p, "--prefix", "--from-key"}, line: "get " + p + " --prefix --from-key"},
		{name: "put fields", args: []string{"put", p + "x", "v", "-w", "fields"}, line: "put " + p + "x v -w fields", norm: normHeaderText},
		{name: "txn fields", args: []string{"txn", "-w", "fields"}, stdin: txnIn, line: "txn -w fields\n" + txnIn, norm: normHeaderText},
		{name: "txn with an argument", args: []string{"txn", "x"}, line: "txn x"},
		{name: "watch without key", args: []string{"watch"}, line: "watch"},
		{name: "lease grant fields", args: []string{"lease", "grant", "100", "-w", "fields"}, line: "lease grant 100 -w fields", norm: chain(normLeaseIDs, normHeaderText)},
		{name: "lease grant bad ttl", args: []string{"lease", "grant", "abc"}, line: "lease grant abc"},
		{name: "lease list", args: []string{"lease", "list"}, line: "lease list"},
		{name: "lease list json", args: []string{"lease", "list", "-w", "json"}, line: "lease list -w json", norm: normHeaderJSON},
		{name: "member list serializable", args: []string{"member", "list", "--consistency=s"}, line: "member list --consistency=s"},
		{name: "endpoint health table", args: []string{"endpoint", "health", "-w", "table"}, line: "endpoint health -w table", norm: normTookTable},
		{name: "endpoint status json", args: []string{"endpoint", "status", "-w", "json"}, line: "endpoint status -w json", norm: normStatus},
		{name: "endpoint status fields", args: []string{"endpoint", "status", "-w", "fields"}, line: "endpoint status -w fields", norm: normStatus},
		{name: "endpoint hashkv json", args: []string{"endpoint", "hashkv", fmt.Sprintf("--rev=%d", w.Header.Revision), "-w", "json"}, line: fmt.Sprintf("endpoint hashkv --rev=%d -w json", w.Header.Revision), norm: normHeaderJSON},
		{name: "endpoint hashkv table", args: []string{"endpoint", "hashkv", fmt.Sprintf("--rev=%d", w.Header.Revision), "-w", "table"}, line: fmt.Sprintf("endpoint hashkv --rev=%d -w table", w.Header.Revision)},
		{name: "alarm list json", args: []string{"alarm", "list", "-w", "json"}, line: "alarm list -w json", norm: normHeaderJSON},
		{name: "alarm list fields", args: []string{"alarm", "list", "-w", "fields"}, line: "alarm list -w fields", norm: normHeaderText},
		{name: "alarm list with an argument", args: []string{"alarm", "list", "x"}, line: "alarm list x"},
		{name: "compaction of no number", args: []string{"compaction", "abc"}, line: "compaction abc"},
		{name: "move-leader bad id", args: []string{"move-leader", "zz"}, line: "move-leader zz"},
	}
	for _, cc := range cases {
		t.Run(cc.name, func(t *testing.T) { check(t, cc) })
	}

	t.Run("member add and remove a learner", func(t *testing.T) {
		// Each run adds a learner of its own peer URL: etcd derives member ids from the peer
		// URLs and the time, and never takes back a removed id.
		for i, run := range []func(args []string, line string) ran{
			func(args []string, _ string) ran { return etcdctl("etcdctl", args, "", 15*time.Second) },
			func(_ []string, line string) ran { return console(line) },
		} {
			peer := fmt.Sprintf("--peer-urls=http://127.0.0.1:%d", i+1)
			added := run([]string{"member", "add", "learner1", peer, "--learner"}, "member add learner1 "+peer+" --learner")
			m := regexp.MustCompile(`Member +([0-9a-f]+) added`).FindStringSubmatch(added.stdout)
			if added.code != 0 || m == nil {
				t.Fatalf("member add: %+v", added)
			}
			if want := "ETCD_NAME=\"learner1\"\n"; !strings.Contains(added.stdout, want) {
				t.Errorf("member add printed %q, want it to contain %q", added.stdout, want)
			}
			promoted := run([]string{"member", "promote", m[1]}, "member promote "+m[1])
			removed := run([]string{"member", "remove", m[1]}, "member remove "+m[1])
			if removed.code != 0 || !strings.HasPrefix(normMemberIDs(removed.stdout), "Member M removed from cluster ") {
				t.Errorf("member remove: %+v", removed)
			}
			t.Logf("promote of a learner not in sync: %q (exit %d)", promoted.errorLine(), promoted.code)
			if promoted.code != 1 || !strings.Contains(promoted.errorLine(), "learner") {
				t.Errorf("member promote of a learner that is not in sync: %+v", promoted)
			}
		}
	})

	t.Run("compaction", func(t *testing.T) {
		resp, err := cli.Put(ctx, p+"compacted", "x")
		if err != nil {
			t.Fatal(err)
		}
		// etcdctl compacts one revision, the console the next one.
		rev, next := fmt.Sprint(resp.Header.Revision-2), fmt.Sprint(resp.Header.Revision-1)
		check(t, compatCase{args: []string{"compaction", rev}, line: "compaction " + next,
			norm: replaceAll(`\d+`, "N")})
		// Both now compact a revision that is gone.
		check(t, compatCase{args: []string{"compaction", "2"}, line: "compaction 2"})
	})

	t.Run("snapshot status", func(t *testing.T) {
		path := filepath.Join(snapDir, "compat.db")
		if saved := etcdctl("etcdctl", []string{"snapshot", "save", path}, "", 30*time.Second); saved.code != 0 {
			t.Fatalf("etcdctl snapshot save: %+v", saved)
		}
		for _, f := range []string{"simple", "json", "table", "fields"} {
			check(t, compatCase{tool: "etcdutl", args: []string{"snapshot", "status", path, "-w", f}, line: "snapshot status compat.db -w " + f})
		}
	})
}
