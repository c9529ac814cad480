package opsproxy

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/completion"
)

// completePath is the completion route of cluster for line, with the cursor at cursor (-1:
// none, the end of the line).
func completePath(cluster, line string, cursor int) string {
	q := url.Values{"line": {line}}
	if cursor >= 0 {
		q.Set("cursor", fmt.Sprint(cursor))
	}
	return "/api/v1/clusters/" + cluster + "/complete?" + q.Encode()
}

func (e *env) complete(t testing.TB, token, line string, cursor int) completion.Answer {
	t.Helper()
	r := e.call(t, "GET", completePath("c1", line, cursor), token, nil)
	if r.status != 200 {
		t.Fatalf("complete %q at %d: %d %s", line, cursor, r.status, r.body)
	}
	var a completion.Answer
	r.json(t, &a)
	return a
}

func texts(a completion.Answer) []string {
	out := []string{}
	for _, c := range a.Candidates {
		out = append(out, c.Text)
	}
	return out
}

func kinds(a completion.Answer) []string {
	var out []string
	for _, c := range a.Candidates {
		if !slices.Contains(out, c.Kind) {
			out = append(out, c.Kind)
		}
	}
	return out
}

func putKeys(t testing.TB, cli *clientv3.Client, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, err := cli.Put(context.Background(), k, "v"); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
	}
}

func TestCompletionOffersEachKindOfCandidate(t *testing.T) {
	e := newEnv(t, envOptions{})
	cli := e.etcdClient(t)
	p := uniquePrefix(t)
	putKeys(t, cli, p+"registry/pods/a", p+"registry/pods/b", p+"registry/services/x", p+"registry/top", p+"other")
	lease, err := cli.Grant(context.Background(), 600)
	if err != nil {
		t.Fatal(err)
	}
	leaseHex := fmt.Sprintf("%x", int64(lease.ID))
	members, err := cli.MemberList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	memberHex, memberName := fmt.Sprintf("%x", members.Members[0].ID), members.Members[0].Name
	viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})

	cases := []struct {
		line     string
		want     []string // exactly these, in this order (nil: check contains only)
		contains []string
		lacks    []string
		kind     string
		from, to int
	}{
		{line: "", contains: []string{"get", "put", "del", "watch", "txn", "member", "lease", "version"}, kind: "command"},
		{line: "me", want: []string{"member"}, kind: "command", from: 0, to: 2},
		{line: "m", want: []string{"member", "move-leader"}, kind: "command"},
		{line: "member ", want: []string{"add", "remove", "list", "promote"}, kind: "subcommand", from: 7, to: 7},
		{line: "lease t", want: []string{"timetolive"}, kind: "subcommand", from: 6, to: 7},
		{line: "get /x --pre", want: []string{"--prefix"}, kind: "flag", from: 7, to: 12},
		{line: "get /x -", contains: []string{"--prefix", "--keys-only", "-w", "--write-out", "--hex"}, kind: "flag"},
		{line: "get /x --prefix --", lacks: []string{"--prefix", "-w"}, contains: []string{"--keys-only", "--write-out"}, kind: "flag"},
		{line: "get --sort-by ", want: []string{"CREATE", "KEY", "MODIFY", "VALUE", "VERSION"}, kind: "value"},
		{line: "get --sort-by=M", want: []string{"--sort-by=MODIFY"}, kind: "value", from: 4, to: 15},
		{line: "get --consistency ", want: []string{"l", "s"}, kind: "value"},
		{line: "get /a -w ", want: []string{"simple", "json", "table", "fields"}, kind: "value"},
		{line: "member list --write-out j", want: []string{"json"}, kind: "value"},
		{line: "get " + p, want: []string{p + "other", p + "registry/"}, kind: "key"},
		{line: "get " + p + "registry/", want: []string{p + "registry/pods/", p + "registry/services/", p + "registry/top"}, kind: "key"},
		{line: "get " + p + "registry/p", want: []string{p + "registry/pods/"}, kind: "key"},
		{line: "get " + p + "registry/pods/", want: []string{p + "registry/pods/a", p + "registry/pods/b"}, kind: "key"},
		{line: "del --prefix " + p + "o", want: []string{p + "other"}, kind: "key"},
		{line: "get " + p + "a " + p + "r", want: []string{p + "registry/"}, kind: "key"},
		{line: "watch -- " + p + "o", want: []string{p + "other"}, kind: "key"},
		{line: "member remove ", want: []string{memberHex}, kind: "member"},
		{line: "move-leader ", want: []string{memberHex}, kind: "member"},
		{line: "member add ", want: []string{memberName}, kind: "member"},
		{line: "lease revoke ", contains: []string{leaseHex}, kind: "lease"},
		{line: "lease timetolive " + leaseHex[:4], contains: []string{leaseHex}, kind: "lease"},
		{line: "put /k v --lease ", contains: []string{leaseHex}, kind: "lease"},
		{line: "put /k v --lease=", contains: []string{"--lease=" + leaseHex}, kind: "lease"},
		{line: "version ", want: []string{"--write-out", "-w", "--hex", "--command-timeout"}, kind: "flag"},
		{line: "nosuchcommand ", want: []string{}, kind: ""},
		{line: "get " + p + "nothing-here", want: []string{}, kind: ""},
		{line: "snapshot save ", want: []string{}, kind: ""},
		{line: "ch", want: []string{"check"}, kind: "command"},
		{line: "check ", want: []string{"perf"}, kind: "subcommand"},
		{line: "check perf --load ", want: []string{"s", "m", "l", "xl", "k8s-large"}, kind: "value"},
		{line: "check perf --load=x", want: []string{"--load=xl"}, kind: "value"},
		{line: "check perf --auto", want: []string{"--auto-compact", "--auto-defrag"}, kind: "flag"},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.line, p, "P"), func(t *testing.T) {
			r := e.call(t, "GET", completePath("c1", c.line, -1), viewer, nil)
			if r.status != 200 || !strings.Contains(string(r.body), `"candidates":[`) {
				t.Fatalf("%d %s, want 200 with a candidates array (never null)", r.status, r.body)
			}
			var a completion.Answer
			r.json(t, &a)
			got := texts(a)
			switch {
			case c.want != nil && !slices.Equal(got, c.want):
				t.Fatalf("candidates %q, want %q", got, c.want)
			case c.kind != "" && !slices.Equal(kinds(a), []string{c.kind}):
				t.Fatalf("kinds %q, want only %q", kinds(a), c.kind)
			case c.from != 0 || c.to != 0:
				if a.From != c.from || a.To != c.to {
					t.Fatalf("from %d to %d, want %d %d", a.From, a.To, c.from, c.to)
				}
			case a.To != len(c.line):
				t.Fatalf("to %d, want the end of the line %d", a.To, len(c.line))
			}
			for _, w := range c.contains {
				if !slices.Contains(got, w) {
					t.Errorf("candidates %q lack %q", got, w)
				}
			}
			for _, w := range c.lacks {
				if slices.Contains(got, w) {
					t.Errorf("candidates %q offer %q, already given", got, w)
				}
			}
			for _, cand := range a.Candidates {
				if cand.Description == "" {
					t.Errorf("candidate %q has no description", cand.Text)
				}
			}
		})
	}
	r := e.call(t, "GET", completePath("c1", "get "+p, -1), viewer, nil)
	recs := e.audit(t, r.header.Get("X-Request-Id"), 1)
	if recs[0].Operation != "console.complete" || recs[0].Cluster != "c1" || recs[0].User != "viewer" || string(recs[0].Key) != p {
		t.Fatalf("audit of a completion: %+v", recs[0])
	}
}

func TestCompletionOffersSnapshotsToAdminsOnly(t *testing.T) {
	e := newEnv(t, envOptions{})
	dir := e.cfg.Maintenance.SnapshotDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, cluster := range map[string]string{"c1-nightly.db": "c1", "other-cluster.db": "other", "unknown.db": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("not really a snapshot"), 0o600); err != nil {
			t.Fatal(err)
		}
		if cluster != "" {
			if err := snapshotfile.WriteMeta(dir, name, snapshotfile.Meta{Cluster: cluster}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := texts(e.complete(t, e.admin, "snapshot status ", -1)); !slices.Equal(got, []string{"c1-nightly.db", "other-cluster.db", "unknown.db"}) {
		t.Fatalf("admin of every cluster: %q", got)
	}
	scopedAdmin := e.token(t, TokenSpec{Name: "c1-admin", Role: "admin", Clusters: []string{"c1"}})
	if got := texts(e.complete(t, scopedAdmin, "snapshot status c", -1)); !slices.Equal(got, []string{"c1-nightly.db"}) {
		t.Fatalf("admin of c1: %q, want only c1's snapshot", got)
	}
	for _, role := range []string{"viewer", "editor"} {
		tok := e.token(t, TokenSpec{Name: role, Role: role})
		if got := texts(e.complete(t, tok, "snapshot status ", -1)); len(got) != 0 {
			t.Fatalf("%s: %q, want no snapshots", role, got)
		}
	}
}

func TestCompletionQuotesKeysAShellWouldSplit(t *testing.T) {
	e := newEnv(t, envOptions{})
	cli := e.etcdClient(t)
	p := uniquePrefix(t)
	putKeys(t, cli, p+"my dir/a", p+"my key", p+"bin\xff\x01", p+"it's")
	viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})
	cases := []struct {
		line string
		want []string
	}{
		// A group keeps its quote open, to be typed on; a key closes it.
		{"get " + p + "my", []string{"'" + p + "my dir/", "'" + p + "my key'"}},
		{"get '" + p + "my d", []string{"'" + p + "my dir/"}},
		{"get \"" + p + "my k", []string{"\"" + p + "my key\""}},
		{"get " + p + `my\ k`, []string{"'" + p + "my key'"}},
		{"get '" + p + "my dir/", []string{"'" + p + "my dir/a'"}},
		{"get " + p + "b", []string{"$'" + p + `bin\xff\x01'`}},
		{"get " + p + "i", []string{"'" + p + `it'\''s'`}},
	}
	for _, c := range cases {
		a := e.complete(t, viewer, c.line, -1)
		if got := texts(a); !slices.Equal(got, c.want) {
			t.Errorf("%q: %q, want %q", strings.ReplaceAll(c.line, p, "P"), got, c.want)
		}
		if a.From != 4 || a.To != len(c.line) {
			t.Errorf("%q: from %d to %d, want the whole word (4, %d)", c.line, a.From, a.To, len(c.line))
		}
	}
}

func TestCompletionAtACursorInsideTheLine(t *testing.T) {
	e := newEnv(t, envOptions{})
	cli := e.etcdClient(t)
	p := uniquePrefix(t)
	putKeys(t, cli, p+"registry/a", p+"rest")
	viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})
	line := "get " + p + "reg --prefix -w json"
	cursor := len("get " + p + "re")
	a := e.complete(t, viewer, line, cursor)
	// What is typed up to the cursor ("re") is completed; the whole word is replaced.
	if got := texts(a); !slices.Equal(got, []string{p + "registry/", p + "rest"}) || a.From != 4 || a.To != len("get "+p+"reg") {
		t.Fatalf("cursor inside the key: %q from %d to %d", got, a.From, a.To)
	}
	a = e.complete(t, viewer, line, len(line)-len(" json"))
	if got := texts(a); !slices.Equal(got, []string{"-w"}) {
		t.Fatalf("cursor after -w: %q, want the short flag itself (the word is completed, not its value)", got)
	}
	a = e.complete(t, viewer, line, len(line)-len("json"))
	if got := texts(a); !slices.Equal(got, []string{"simple", "json", "table", "fields"}) || a.From != len(line)-4 || a.To != a.From {
		t.Fatalf("cursor at the start of -w's value: %q from %d to %d, want every format inserted there", got, a.From, a.To)
	}
	a = e.complete(t, viewer, line, 2)
	if got := texts(a); !slices.Equal(got, []string{"get"}) || a.From != 0 || a.To != 3 {
		t.Fatalf("cursor inside the command: %q from %d to %d", got, a.From, a.To)
	}
	// The lines after the first are stdin (txn, put's value): not completed.
	txn := "txn\nvalue(\"" + p + "re"
	if a := e.complete(t, viewer, txn, -1); len(a.Candidates) != 0 || a.From != len(txn) {
		t.Fatalf("cursor on a stdin line: %+v", a)
	}
	// Multi-byte text: offsets are bytes.
	putKeys(t, cli, p+"ключ/π")
	line = "get " + p + "клю"
	if a := e.complete(t, viewer, line, -1); !slices.Equal(texts(a), []string{p + "ключ/"}) || a.To != len(line) {
		t.Fatalf("a UTF-8 key: %+v", a)
	}
}

func TestCompletionRefusals(t *testing.T) {
	e := newEnv(t, envOptions{})
	viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})
	elsewhere := e.token(t, TokenSpec{Name: "elsewhere", Role: "admin", Clusters: []string{"other"}})
	cases := []struct {
		name, path, token string
		status            int
		want              string
	}{
		{"unknown cluster", completePath("nope", "get ", -1), viewer, 404, `no cluster "nope"`},
		{"token of another cluster", completePath("c1", "get /", -1), elsewhere, 403, `may not act on cluster "c1"`},
		{"line over 64 KiB", completePath("c1", "get /"+strings.Repeat("k", 64<<10), -1), viewer, 400, "line: over 65536 bytes"},
		{"cursor past the line", completePath("c1", "get", 4), viewer, 400, "cursor: want a byte offset from 0 to 3"},
		{"negative cursor", "/api/v1/clusters/c1/complete?line=get&cursor=-5", viewer, 400, "cursor: want a byte offset"},
		{"cursor not a number", "/api/v1/clusters/c1/complete?line=get&cursor=end", viewer, 400, "cursor: want a byte offset"},
		{"cursor inside a character", completePath("c1", "get /π", 6), viewer, 400, "cursor: 6 is inside a UTF-8 character"},
		{"line not UTF-8", "/api/v1/clusters/c1/complete?line=get%20%FF", viewer, 400, "line: not UTF-8"},
		{"no token", completePath("c1", "get ", -1), "", 401, "missing bearer token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "GET", c.path, c.token, nil)
			if r.status != c.status || !strings.Contains(r.errorText(t), c.want) {
				t.Fatalf("%d %s, want %d naming %q", r.status, r.body, c.status, c.want)
			}
		})
	}
	// The refusal of another cluster's token is audited as denied.
	r := e.call(t, "GET", completePath("c1", "get /", -1), elsewhere, nil)
	if recs := e.audit(t, r.header.Get("X-Request-Id"), 1); recs[0].Outcome != store.OutcomeDenied || recs[0].Operation != "console.complete" {
		t.Fatalf("audit of the refusal: %+v", recs[0])
	}
}

func TestCompletionWhileEtcdIsDownOffersTheGrammarAndRefusesClusterReads(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := newEnv(t, envOptions{cluster: c.Cluster})
	viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})
	if got := texts(e.complete(t, viewer, "get /", -1)); len(got) != 0 {
		t.Fatalf("an empty cluster: %q", got)
	}
	c.Members[0].Stop(t)
	if got := texts(e.complete(t, viewer, "ge", -1)); !slices.Equal(got, []string{"get"}) {
		t.Fatalf("commands with etcd down: %q", got)
	}
	if got := texts(e.complete(t, viewer, "get --sort-by K", -1)); !slices.Equal(got, []string{"KEY"}) {
		t.Fatalf("flag values with etcd down: %q", got)
	}
	for _, line := range []string{"get /", "member remove ", "lease revoke "} {
		r := e.call(t, "GET", completePath("c1", line, -1), viewer, nil)
		if r.status != 503 || !strings.Contains(r.errorText(t), "cluster c1") {
			t.Fatalf("%q with etcd down: %d %s, want 503 naming the cluster", line, r.status, r.body)
		}
	}
}

// countingCluster is the cluster of a completion read through a real client, counting the
// range reads.
type countingCluster struct {
	cli   *clientv3.Client
	reads int
}

func (c *countingCluster) KeyNames(ctx context.Context, start, end string, limit int64) ([]string, bool, error) {
	c.reads++
	resp, err := c.cli.Get(ctx, start, clientv3.WithRange(end), clientv3.WithKeysOnly(), clientv3.WithSerializable(), clientv3.WithLimit(limit))
	if err != nil {
		return nil, false, err
	}
	var keys []string
	for _, kv := range resp.Kvs {
		keys = append(keys, string(kv.Key))
	}
	return keys, resp.More, nil
}

func (c *countingCluster) Members(context.Context) ([]completion.Member, error)     { return nil, nil }
func (c *countingCluster) LeaseIDs(context.Context) ([]int64, error)                { return nil, nil }
func (c *countingCluster) Snapshots(context.Context) ([]completion.Snapshot, error) { return nil, nil }

// putMany writes keys in transactions of 128 puts, 8 at a time.
func putMany(t testing.TB, cli *clientv3.Client, keys []string) {
	t.Helper()
	const perTxn, workers = 128, 8
	errs := make(chan error, workers)
	batches := make(chan []string)
	for range workers {
		go func() {
			for b := range batches {
				ops := make([]clientv3.Op, len(b))
				for i, k := range b {
					ops[i] = clientv3.OpPut(k, "v")
				}
				if _, err := cli.Txn(context.Background()).Then(ops...).Commit(); err != nil {
					errs <- err
					for range batches {
					}
					return
				}
			}
			errs <- nil
		}()
	}
	for i := 0; i < len(keys); i += perTxn {
		batches <- keys[i:min(i+perTxn, len(keys))]
	}
	close(batches)
	for range workers {
		if err := <-errs; err != nil {
			t.Fatalf("put keys: %v", err)
		}
	}
}

func TestCompletionSkipScansGroupsWithoutReadingTheirKeys(t *testing.T) {
	cli := sharedClient(t)
	p := uniquePrefix(t)
	// 60 groups of 200 keys each, and 10 single keys among them.
	var keys []string
	for g := range 60 {
		for k := range 200 {
			keys = append(keys, fmt.Sprintf("%sns-%02d/pod-%03d", p, g, k))
		}
	}
	for k := range 10 {
		keys = append(keys, fmt.Sprintf("%sns-%02d-key", p, k))
	}
	putMany(t, cli, keys)
	cl := &countingCluster{cli: cli}
	a, err := completion.Complete(context.Background(), "get "+p, len("get "+p), cl)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Candidates) != completion.MaxCandidates || !a.Truncated {
		t.Fatalf("%d candidates, truncated %v; want %d and truncated", len(a.Candidates), a.Truncated, completion.MaxCandidates)
	}
	if a.Candidates[0].Text != p+"ns-00-key" || a.Candidates[1].Text != p+"ns-00/" {
		t.Fatalf("first candidates %q, want the key ns-00-key then the group ns-00/ (byte order)", texts(a)[:2])
	}
	// Each group costs a read or two of a narrow window, never a read through its 200 keys.
	if cl.reads > 2*(completion.MaxCandidates+1) {
		t.Fatalf("%d range reads for 50 candidates, want at most %d", cl.reads, 2*(completion.MaxCandidates+1))
	}
	t.Logf("60 groups of 200 keys: 50 candidates in %d reads", cl.reads)
	// One group's 200 keys: a single read.
	cl.reads = 0
	a, err = completion.Complete(context.Background(), "get "+p+"ns-07/", len("get "+p+"ns-07/"), cl)
	if err != nil || len(a.Candidates) != 50 || !a.Truncated || cl.reads != 1 {
		t.Fatalf("200 keys of one group: %d candidates, truncated %v, %d reads, %v; want 50, true, 1", len(a.Candidates), a.Truncated, cl.reads, err)
	}
}

// sharedClient is a client of the shared cluster, closed at cleanup.
func sharedClient(t testing.TB) *clientv3.Client {
	t.Helper()
	cli, err := etcdtest.Shared(t).Client()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}
