package opsproxy

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// A viewer may run every read of the console and none of its changes: each refusal is a 403
// naming what was refused, audited as the operation with the command line, values redacted.
func TestConsoleRefusesChangesToAViewerAndAuditsThem(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	viewer := e.token(t, TokenSpec{Name: "console-viewer", Role: "viewer"})
	cli := e.etcdClient(t)
	lease, err := cli.Grant(context.Background(), 60)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ line, op, command string }{
		{"put " + p + "k hunter2-secret", "keys.put", "put " + p + "k <redacted 14 bytes>"},
		{"del " + p + "k", "keys.delete", "del " + p + "k"},
		{"txn\n\nput " + p + "k hunter2-secret\n\n", "keys.txn", "txn\n\nput " + p + "k <redacted 14 bytes>\n"},
		{"compaction 1", "maintenance.compact", "compaction 1"},
		{"member remove 1234", "members.remove", "member remove 1234"},
		{fmt.Sprintf("lease revoke %x", int64(lease.ID)), "leases.revoke", fmt.Sprintf("lease revoke %x", int64(lease.ID))},
		{"alarm disarm", "alarms.disarm", "alarm disarm"},
		{"defrag", "jobs.enqueue", "defrag"},
		{"snapshot save s.db", "jobs.enqueue", "snapshot save s.db"},
		{"snapshot status s.db", "snapshots.status", "snapshot status s.db"},
	} {
		r, a := e.console(t, viewer, c.line)
		if r.status != http.StatusForbidden || a.ExitCode != 1 || !strings.Contains(a.Error, "viewer") {
			t.Errorf("viewer %q: %d %+v, want 403 naming the role", c.line, r.status, a)
			continue
		}
		rec := e.audit(t, r.header.Get("X-Request-Id"), 1)[0]
		if rec.Outcome != store.OutcomeDenied || rec.Operation != c.op || rec.Command != c.command {
			t.Errorf("viewer %q audited as %s %s %q, want denied %s %q", c.line, rec.Outcome, rec.Operation, rec.Command, c.op, c.command)
		}
		if strings.Contains(string(mustJSON(t, rec)), "hunter2") || strings.Contains(string(r.body), "hunter2") {
			t.Errorf("viewer %q: the value is in the audit record or the answer", c.line)
		}
		if strings.Contains(string(mustJSON(t, rec)), viewer) || strings.Contains(string(r.body), viewer) {
			t.Errorf("viewer %q: the token is in the audit record or the answer", c.line)
		}
	}
	if strings.Contains(e.log.String(), "hunter2") || strings.Contains(e.log.String(), viewer) {
		t.Error("a put value or the token is in the server's log")
	}
	for _, line := range []string{"get " + p + "k", "member list", "endpoint health", "alarm list", "lease list", "version",
		fmt.Sprintf("lease timetolive %x", int64(lease.ID)), "txn\n\nget " + p + "k\n\n"} {
		if r, a := e.console(t, viewer, line); r.status != http.StatusOK || a.ExitCode != 0 {
			t.Errorf("viewer %q: %d %+v, want it run", line, r.status, a)
		}
	}
}

// An editor writes only under its key prefixes, in a txn as in a put, and revokes only leases
// whose keys all lie there.
func TestConsoleKeepsAnEditorWithinItsKeyPrefixes(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	editor := e.token(t, TokenSpec{Name: "console-editor", Role: "editor", KeyPrefixes: []string{p + "mine/"}})
	cli := e.etcdClient(t)
	ctx := context.Background()
	for _, c := range []struct {
		line   string
		status int
	}{
		{"txn\n\nput " + p + "mine/a 1\nput " + p + "theirs/a 1\n\n", http.StatusForbidden},
		{"txn\n\nput " + p + "mine/a 1\n\ndel " + p + "theirs/a\n", http.StatusForbidden},
		{"del " + p + " --prefix", http.StatusForbidden},
		{"del '' --from-key", http.StatusForbidden},
		{"txn\nmod(\"" + p + "theirs/a\") = \"0\"\n\nput " + p + "mine/a 1\nget " + p + "theirs/a\n\n", http.StatusOK},
	} {
		if r, a := e.console(t, editor, c.line); r.status != c.status {
			t.Errorf("editor %q: %d %+v, want %d", c.line, r.status, a, c.status)
		}
	}
	if got, _ := cli.Get(ctx, p+"theirs/", clientv3.WithPrefix()); len(got.Kvs) != 0 {
		t.Fatalf("a refused txn wrote outside the editor's prefixes: %v", got.Kvs)
	}
	mine, _ := cli.Grant(ctx, 60)
	theirs, _ := cli.Grant(ctx, 60)
	cli.Put(ctx, p+"mine/leased", "x", clientv3.WithLease(mine.ID))
	cli.Put(ctx, p+"mine/leased2", "x", clientv3.WithLease(theirs.ID))
	cli.Put(ctx, p+"theirs/leased", "x", clientv3.WithLease(theirs.ID))
	r, a := e.console(t, editor, fmt.Sprintf("lease revoke %x", int64(theirs.ID)))
	if r.status != http.StatusForbidden || !strings.Contains(a.Error, "needs admin") {
		t.Fatalf("editor revoking a lease with a key outside its prefixes: %d %+v", r.status, a)
	}
	if got, _ := cli.Get(ctx, p+"theirs/leased"); len(got.Kvs) != 1 {
		t.Fatal("the refused revoke deleted the lease's keys")
	}
	r, a = e.console(t, editor, fmt.Sprintf("lease revoke %x", int64(mine.ID)))
	if r.status != http.StatusOK || a.Stdout != fmt.Sprintf("lease %016x revoked\n", int64(mine.ID)) {
		t.Fatalf("editor revoking a lease of its own keys: %d %+v", r.status, a)
	}
	r, a = e.console(t, e.admin, fmt.Sprintf("lease revoke %x", int64(theirs.ID)))
	if r.status != http.StatusOK || a.ExitCode != 0 {
		t.Fatalf("admin revoking any lease: %d %+v", r.status, a)
	}
}

func TestConsoleTokenOfAnotherClusterIsRefused(t *testing.T) {
	e := newEnv(t, envOptions{})
	other := e.token(t, TokenSpec{Name: "elsewhere", Role: "admin", Clusters: []string{"c2"}})
	r, a := e.console(t, other, "get /x")
	if r.status != http.StatusForbidden || a.ExitCode != 1 || !strings.Contains(a.Error, `cluster "c1"`) {
		t.Fatalf("token of cluster c2 on c1: %d %+v", r.status, a)
	}
	rec := e.audit(t, r.header.Get("X-Request-Id"), 1)[0]
	if rec.Operation != "keys.get" || rec.Outcome != store.OutcomeDenied || rec.Command != "get /x" {
		t.Fatalf("refusal audited as %+v", rec)
	}
	r = e.call(t, http.MethodPost, "/api/v1/clusters/nope/console", e.admin, map[string]string{"line": "get /x"})
	var nf consoleAnswer
	r.json(t, &nf)
	if r.status != http.StatusNotFound || nf.ExitCode != 1 {
		t.Fatalf("unknown cluster: %d %s", r.status, r.body)
	}
	r = e.call(t, http.MethodPost, "/api/v1/clusters/c1/console", "", map[string]string{"line": "get /x"})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("no token: %d %s", r.status, r.body)
	}
}

func TestConsoleRefusesOversizedAndUnboundedRequests(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	huge := strings.Repeat("v", 3<<20)
	r, _ := e.console(t, e.admin, "put "+p+"k "+huge)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 3 MiB line: %d %.200s", r.status, r.body)
	}
	r, a := e.console(t, e.admin, "put "+p+"k "+strings.Repeat("v", 1600<<10))
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(a.Error, "max_request_bytes") {
		t.Fatalf("a value over etcd's request limit: %d %+v", r.status, a)
	}
	for _, line := range []string{"watch " + p + " --max-events=0", "watch " + p + " --max-events=5000",
		"watch " + p + " --max-wait=10m", "watch " + p + " -i", "watch " + p + " -- sh -c 'rm -rf /'", "lease keep-alive 1234"} {
		if r, a := e.console(t, e.admin, line); r.status != http.StatusBadRequest || a.ExitCode != 128 {
			t.Errorf("%q: %d %+v, want 400 exit 128", line, r.status, a)
		}
	}
	// A watch that sees nothing ends at --max-wait.
	r, a = e.console(t, e.admin, "watch "+p+"quiet --max-wait=300ms")
	if r.status != http.StatusOK || a.ExitCode != 0 || !strings.Contains(a.Stderr, "--max-wait") {
		t.Fatalf("quiet watch: %d %+v", r.status, a)
	}
	// One that sees more than --max-events stops at exactly that many.
	cli := e.etcdClient(t)
	var first int64
	for i := range 5 {
		resp, err := cli.Put(context.Background(), p+"busy", fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = resp.Header.Revision
		}
	}
	_, a = e.console(t, e.admin, fmt.Sprintf("watch %sbusy --rev=%d --max-events=3 -w json", p, first))
	if n := strings.Count(a.Stdout, `"kv"`); a.ExitCode != 0 || n != 3 {
		t.Fatalf("watch --max-events=3 printed %d events (%+v)", n, a)
	}
}

// When the audit log cannot take the attempt, a change is refused (503, exit 2) and does not
// reach etcd; reads go on, their records (command included) spooled and shipped after, and the
// chain verifies.
func TestConsoleRefusesChangesWhileTheAuditLogIsDown(t *testing.T) {
	st, proxy := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st})
	p := uniquePrefix(t)
	e.storeDown(t, proxy)
	r, a := e.console(t, e.admin, "put "+p+"k v")
	if r.status != http.StatusServiceUnavailable || a.ExitCode != 2 || !strings.Contains(a.Error, "audit") {
		t.Fatalf("put while the audit log is down: %d %+v", r.status, a)
	}
	if got, _ := e.etcdClient(t).Get(context.Background(), p+"k"); len(got.Kvs) != 0 {
		t.Fatal("the refused put reached etcd")
	}
	r, a = e.console(t, e.admin, "get "+p+"k")
	if r.status != http.StatusOK || a.ExitCode != 0 {
		t.Fatalf("get while the audit log is down: %d %+v", r.status, a)
	}
	proxy.start()
	eventually(t, "the spool is shipped", func() bool {
		h := e.outageHealth(t)
		return h.Store.Reachable && h.AuditSpool.Records == 0
	})
	if rec := e.audit(t, r.header.Get("X-Request-Id"), 1)[0]; rec.Command != "get "+p+"k" || rec.Operation != "keys.get" {
		t.Fatalf("spooled console read shipped as %+v", rec)
	}
	if v, err := st.VerifyAudit(context.Background()); err != nil || !v.OK() {
		t.Fatalf("verify after the outage: %+v %v", v, err)
	}
}

// With its only member stopped, a command ends within its --command-timeout with etcdctl's
// exit code for the failure, and says why.
func TestConsoleAnswersWhenTheClusterIsDown(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := newEnv(t, envOptions{cluster: c.Cluster})
	if r, _ := e.console(t, e.admin, "put /down/k v"); r.status != http.StatusOK {
		t.Fatalf("put before the stop: %d %s", r.status, r.body)
	}
	c.Members[0].Stop(t)
	r, a := e.console(t, e.admin, "get /down/k --command-timeout=1s")
	switch {
	case r.status == http.StatusOK && a.ExitCode == 1 && strings.HasPrefix(a.Stderr, "Error: "):
	case r.status == http.StatusServiceUnavailable && a.ExitCode == 2:
	default:
		t.Fatalf("get with the cluster down: %d %+v, want exit 1 with etcd's error or 503 exit 2", r.status, a)
	}
	rec := e.audit(t, r.header.Get("X-Request-Id"), 1)[0]
	if rec.Outcome != store.OutcomeFailed || rec.Error == "" || rec.Command != "get /down/k --command-timeout=1s" {
		t.Fatalf("failed get audited as %+v", rec)
	}
}

func TestConsoleEnqueuesDefragAndSnapshotSaveAsJobs(t *testing.T) {
	e := newEnv(t, envOptions{})
	r, a := e.console(t, e.admin, "defrag")
	if r.status != http.StatusOK || a.Job == nil || a.Job.Kind != "defragment" || a.Operation != "jobs.enqueue" ||
		!strings.Contains(a.Stdout, "/api/v1/jobs/"+a.Job.ID+"/events") {
		t.Fatalf("defrag: %d %+v", r.status, a)
	}
	rec := e.audit(t, r.header.Get("X-Request-Id"), 2)
	if string(rec[0].Key) != a.Job.ID || rec[0].Command != "defrag" {
		t.Fatalf("defrag audited as %+v", rec[0])
	}
	r, a = e.console(t, e.admin, "snapshot save console.db")
	if r.status != http.StatusOK || a.Job == nil || a.Job.Kind != "snapshot" || !strings.Contains(a.Stdout, "console.db") {
		t.Fatalf("snapshot save: %d %+v", r.status, a)
	}
	if r, a := e.console(t, e.admin, "snapshot save ../escape.db"); r.status != http.StatusBadRequest || a.ExitCode != 128 {
		t.Fatalf("snapshot save of a path: %d %+v", r.status, a)
	}
}

// An answer carries at most console.MaxOutputBytes of stdout and of the result, and says so.
func TestConsoleBoundsItsOutput(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	cli := e.etcdClient(t)
	value := strings.Repeat("v", 1<<20)
	for i := range 10 {
		if _, err := cli.Put(context.Background(), fmt.Sprintf("%sk%02d", p, i), value); err != nil {
			t.Fatal(err)
		}
	}
	r, a := e.console(t, e.admin, "get "+p+" --prefix")
	if r.status != http.StatusOK || len(a.Stdout) != 8<<20 || string(a.Result) != "null" || !strings.Contains(a.Stderr, "output cut") {
		t.Fatalf("get of 10 MiB: %d, stdout %d bytes, result %d bytes, stderr %q", r.status, len(a.Stdout), len(a.Result), a.Stderr)
	}
}

// A console watch is an open watch while it runs: with the user's cap taken by watches of the
// Watch API, it is refused with 429.
func TestConsoleWatchCountsAgainstTheUsersOpenWatches(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *Config) { c.Limits.MaxWatchesPerUser = 1 }})
	viewer := e.token(t, TokenSpec{Name: "watcher", Role: "viewer"})
	p := uniquePrefix(t)
	if r, a := e.console(t, viewer, "watch "+p+" --prefix --max-wait=100ms"); r.status != http.StatusOK || a.ExitCode != 0 {
		t.Fatalf("console watch under the cap: %d %+v", r.status, a)
	}
	w, r := e.watch(t, viewer, "key="+p+"&prefix=true")
	if w == nil {
		t.Fatalf("watch: %d %s", r.status, r.body)
	}
	r, a := e.console(t, viewer, "watch "+p+" --prefix --max-wait=100ms")
	if r.status != http.StatusTooManyRequests || a.ExitCode != 1 || !strings.Contains(a.Error, "open watches") {
		t.Fatalf("console watch over the cap: %d %+v", r.status, a)
	}
}
