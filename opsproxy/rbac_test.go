package opsproxy

import (
	"context"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Deleting the whole keyspace needs admin: an editor without key prefixes is refused (403,
// audited as denied, nothing deleted), an editor still deletes under a prefix, and an admin
// deletes everything.
func TestWholeKeyspaceDeleteNeedsAdmin(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := newEnv(t, envOptions{cluster: c.Cluster})
	cli := e.etcdClient(t)
	ctx := context.Background()
	for _, k := range []string{"/a/1", "/a/2", "/b/1", "/c/1", "zzz", "\x01"} {
		if _, err := cli.Put(ctx, k, "v"); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int64 {
		t.Helper()
		resp, err := cli.Get(ctx, "\x00", clientv3.WithFromKey(), clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		return resp.Count
	}
	editor := e.token(t, TokenSpec{Name: "eddie", Role: "editor"})
	scoped := e.token(t, TokenSpec{Name: "sam", Role: "editor", KeyPrefixes: []string{"/a/"}})
	grafana := e.token(t, TokenSpec{Name: "grafana", Role: "admin", ActsForUsers: true})

	refused := []struct {
		name    string
		token   string
		params  []string
		headers []string
	}{
		{"empty key with prefix", editor, []string{"key", "", "prefix", "true"}, nil},
		{"empty key from_key", editor, []string{"key", "", "from_key", "true"}, nil},
		{"range from \\x00 to \\x00", editor, []string{"key", "\x00", "range_end", "\x00"}, nil},
		{"from_key from a later key", editor, []string{"key", "/b/", "from_key", "true"}, nil},
		{"nearly every key", editor, []string{"key", "\x01", "range_end", "\xff"}, nil},
		{"Grafana editor through an admin service token", grafana, []string{"key", "", "prefix", "true"},
			[]string{DefaultUserHeader, "ed", DefaultRoleHeader, "Editor"}},
	}
	for _, r := range refused {
		t.Run(r.name, func(t *testing.T) {
			resp := e.call(t, "DELETE", keysPath(r.params...), r.token, nil, r.headers...)
			if resp.status != 403 {
				t.Fatalf("status %d, want 403: %s", resp.status, resp.body)
			}
			if msg := resp.errorText(t); !strings.Contains(msg, "may not delete the whole keyspace") || !strings.Contains(msg, "needs admin") {
				t.Fatalf("error %q does not say the whole keyspace needs admin", msg)
			}
			recs := e.audit(t, resp.header.Get(RequestIDHeader), 1)
			last := recs[len(recs)-1]
			// A refusal keeps no key byte, only the size and sha256 of the range asked for.
			endSize, endSHA := store.ValueDigest([]byte(keysRangeEnd(r.params)))
			if len(recs) != 1 || last.Outcome != store.OutcomeDenied || last.Operation != "keys.delete" || last.Role != "editor" ||
				last.RangeEnd != nil || last.RangeEndSize != endSize || last.RangeEndSHA256 != endSHA {
				t.Fatalf("audit records %+v, want one denied keys.delete by an editor describing the range by its size and sha256", recs)
			}
			if n := count(); n != 6 {
				t.Fatalf("%d keys left after a refused delete, want 6", n)
			}
		})
	}

	for _, d := range []struct {
		name   string
		token  string
		prefix string
		left   int64
	}{
		{"editor with key prefixes deletes under its prefix", scoped, "/a/", 4},
		{"editor without key prefixes deletes a prefix", editor, "/b/", 3},
	} {
		t.Run(d.name, func(t *testing.T) {
			resp := e.call(t, "DELETE", keysPath("key", d.prefix, "prefix", "true"), d.token, nil)
			if resp.status != 200 {
				t.Fatalf("status %d, want 200: %s", resp.status, resp.body)
			}
			if n := count(); n != d.left {
				t.Fatalf("%d keys left, want %d", n, d.left)
			}
		})
	}

	resp := e.call(t, "DELETE", keysPath("key", "", "prefix", "true"), e.admin, nil)
	var del struct{ Deleted int64 }
	resp.json(t, &del)
	if resp.status != 200 || del.Deleted != 3 || count() != 0 {
		t.Fatalf("admin deleting every key: %d %s, %d keys left", resp.status, resp.body, count())
	}
	recs := e.audit(t, resp.header.Get(RequestIDHeader), 2)
	if recs[len(recs)-1].Outcome != store.OutcomeSucceeded {
		t.Fatalf("audit records of the admin's delete: %+v", recs)
	}
}

// keysRangeEnd is the range end the delete parameters select, as the audit record names it.
func keysRangeEnd(params []string) string {
	q := map[string]string{}
	for i := 0; i+1 < len(params); i += 2 {
		q[params[i]] = params[i+1]
	}
	switch {
	case q["range_end"] != "":
		return q["range_end"]
	case q["prefix"] == "true" && q["key"] != "":
		return clientv3.GetPrefixRangeEnd(q["key"])
	}
	return "\x00"
}
