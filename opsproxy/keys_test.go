package opsproxy

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

type getAnswer struct {
	Header   header
	KVs      []kv
	Count    int64
	More     bool
	Continue string
}

func keysPath(params ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	return "/api/v1/clusters/c1/keys?" + q.Encode()
}

func (a getAnswer) keys() []string {
	var out []string
	for _, k := range a.KVs {
		switch {
		case k.Key != nil:
			out = append(out, *k.Key)
		default:
			out = append(out, "b64:"+base64.StdEncoding.EncodeToString(k.KeyBase64))
		}
	}
	return out
}

func TestGetReadsKeysPrefixesAndRangesWithOptions(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	cli := e.etcdClient(t)
	ctx := context.Background()
	var firstRev int64
	for i, k := range []string{"a", "b", "c", "d"} {
		resp, err := cli.Put(ctx, p+k, strings.Repeat(k, i+1))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			firstRev = resp.Header.Revision
		}
	}
	if _, err := cli.Put(ctx, p+"a", "a2"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		params    []string
		wantKeys  string
		wantCount int64
		wantMore  bool
		check     func(t *testing.T, a getAnswer)
	}{
		{"single key", []string{"key", p + "b"}, p + "b", 1, false, func(t *testing.T, a getAnswer) {
			if *a.KVs[0].Value != "bb" {
				t.Errorf("value %q", *a.KVs[0].Value)
			}
		}},
		{"missing key is an empty answer", []string{"key", p + "zz"}, "", 0, false, nil},
		{"prefix", []string{"key", p, "prefix", "true"}, p + "a," + p + "b," + p + "c," + p + "d", 4, false, nil},
		{"range", []string{"key", p + "b", "range_end", p + "d"}, p + "b," + p + "c", 2, false, nil},
		{"from key", []string{"key", p + "c", "from_key", "true", "limit", "1"}, p + "c", 0, true, nil},
		{"limit", []string{"key", p, "prefix", "true", "limit", "2"}, p + "a," + p + "b", 4, true, nil},
		{"keys only", []string{"key", p, "prefix", "true", "keys_only", "true", "limit", "1"}, p + "a", 4, true, func(t *testing.T, a getAnswer) {
			if a.KVs[0].Value != nil || a.KVs[0].ValueBase64 != nil {
				t.Errorf("keys_only answered a value")
			}
		}},
		{"count only", []string{"key", p, "prefix", "true", "count_only", "true"}, "", 4, false, nil},
		{"sort by value descending", []string{"key", p, "prefix", "true", "sort_target", "value", "sort_order", "descend"}, p + "d," + p + "c," + p + "b," + p + "a", 4, false, nil},
		{"serializable", []string{"key", p + "c", "serializable", "true"}, p + "c", 1, false, nil},
		{"at an old revision", []string{"key", p + "a", "revision", fmt.Sprint(firstRev)}, p + "a", 1, false, func(t *testing.T, a getAnswer) {
			if *a.KVs[0].Value != "a" {
				t.Errorf("value at revision %d is %q, want a", firstRev, *a.KVs[0].Value)
			}
		}},
		{"base64 encoding", []string{"key", p + "a", "encoding", "base64"}, "b64:" + base64.StdEncoding.EncodeToString([]byte(p+"a")), 1, false, func(t *testing.T, a getAnswer) {
			if string(a.KVs[0].ValueBase64) != "a2" {
				t.Errorf("value_base64 %q", a.KVs[0].ValueBase64)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "GET", keysPath(c.params...), e.admin, nil)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var a getAnswer
			r.json(t, &a)
			if got := strings.Join(a.keys(), ","); got != c.wantKeys {
				t.Errorf("keys %q, want %q", got, c.wantKeys)
			}
			if c.wantCount != 0 && a.Count != c.wantCount || a.More != c.wantMore {
				t.Errorf("count %d more %t, want %d %t", a.Count, a.More, c.wantCount, c.wantMore)
			}
			if c.check != nil {
				c.check(t, a)
			}
		})
	}
}

func TestGetRefusesBadParameters(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	cli := e.etcdClient(t)
	ctx := context.Background()
	var revs []int64
	for i := range 3 {
		resp, err := cli.Put(ctx, p+"k", fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		revs = append(revs, resp.Header.Revision)
	}
	if _, err := cli.Compact(ctx, revs[1]); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		params []string
		status int
		want   string
	}{
		{"no key", []string{"limit", "1"}, 400, "key: required"},
		{"empty key", []string{"key", ""}, 400, "key: must not be empty"},
		{"negative revision", []string{"key", p + "k", "revision", "-1"}, 400, "revision: must be at least 0"},
		{"revision not a number", []string{"key", p + "k", "revision", "x"}, 400, "revision: want an integer"},
		{"future revision", []string{"key", p + "k", "revision", "999999999"}, 400, "required revision is a future revision"},
		{"compacted revision", []string{"key", p + "k", "revision", fmt.Sprint(revs[0])}, 410, "required revision has been compacted"},
		{"limit over the maximum", []string{"key", p, "prefix", "true", "limit", "1000000"}, 400, "limit: at most 10000"},
		{"prefix and range_end", []string{"key", p, "prefix", "true", "range_end", p + "z"}, 400, "set at most one"},
		{"range_end before key", []string{"key", p + "z", "range_end", p + "a"}, 400, "range_end: must sort after key"},
		{"bad boolean", []string{"key", p, "prefix", "yes"}, 400, "prefix: want true or false"},
		{"bad sort target", []string{"key", p, "prefix", "true", "sort_target", "size"}, 400, "sort_target: want"},
		{"forged continue token", []string{"key", p, "prefix", "true", "continue", "!!!"}, 400, "continue: not a token this range returned"},
		{"continue token outside the range", []string{"key", p, "prefix", "true", "continue", continueToken(5, "/elsewhere")}, 400, "continue: not a token this range returned"},
		{"bad encoding", []string{"key", p, "encoding", "hex"}, 400, "encoding: want text or base64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "GET", keysPath(c.params...), e.admin, nil)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if got := r.errorText(t); !strings.Contains(got, c.want) {
				t.Fatalf("error %q does not contain %q", got, c.want)
			}
			if recs := e.audit(t, r.header.Get(RequestIDHeader), 1); recs[0].Outcome != store.OutcomeFailed || recs[0].Error == "" {
				t.Fatalf("audit %+v, want a failed record with the error", recs[0])
			}
		})
	}
}

func TestContinuationPagesThroughManyKeysAtOneRevision(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	cli := e.etcdClient(t)
	ctx := context.Background()
	const total = 100_000
	for i := 0; i < total; i += 128 {
		var ops []clientv3.Op
		for j := i; j < min(i+128, total); j++ {
			ops = append(ops, clientv3.OpPut(fmt.Sprintf("%sk%06d", p, j), "v"))
		}
		if _, err := cli.Txn(ctx).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	seen, pages, cont := 0, 0, ""
	var rev int64
	for {
		params := []string{"key", p, "prefix", "true", "limit", "10000", "keys_only", "true"}
		if cont != "" {
			params = append(params, "continue", cont)
		}
		r := e.call(t, "GET", keysPath(params...), e.admin, nil)
		if r.status != 200 {
			t.Fatalf("page %d: %d %s", pages, r.status, r.body)
		}
		var a getAnswer
		r.json(t, &a)
		for i, k := range a.keys() {
			if want := fmt.Sprintf("%sk%06d", p, seen+i); k != want {
				t.Fatalf("page %d key %d is %q, want %q", pages, i, k, want)
			}
		}
		seen += len(a.KVs)
		pages++
		if pages == 1 {
			rev = a.Header.Revision
			// Written after the first page: later pages must not see it.
			if _, err := cli.Put(ctx, p+"k999999", "late"); err != nil {
				t.Fatal(err)
			}
		}
		if a.Continue == "" {
			if a.More {
				t.Fatalf("more without a continue token")
			}
			break
		}
		cont = a.Continue
	}
	if seen != total || pages != 10 {
		t.Fatalf("paged %d keys in %d pages at revision %d, want %d in 10", seen, pages, rev, total)
	}
}

func TestPutDeleteAndCompareAndSwap(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	cli := e.etcdClient(t)
	ctx := context.Background()
	lease, err := cli.Grant(ctx, 600)
	if err != nil {
		t.Fatal(err)
	}

	r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]any{"key": p + "a", "value": "one", "lease": int64(lease.ID)})
	if r.status != 200 {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	got, err := cli.Get(ctx, p+"a")
	if err != nil || len(got.Kvs) != 1 || string(got.Kvs[0].Value) != "one" || got.Kvs[0].Lease != int64(lease.ID) {
		t.Fatalf("after put: %v %v", got, err)
	}
	modRev := got.Kvs[0].ModRevision

	r = e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]any{"key": p + "a", "value_base64": base64.StdEncoding.EncodeToString([]byte{0xff, 0x00}), "prev_kv": true})
	var put struct {
		PrevKV *kv `json:"prev_kv"`
	}
	r.json(t, &put)
	if r.status != 200 || put.PrevKV == nil || *put.PrevKV.Value != "one" {
		t.Fatalf("put with prev_kv: %d %s", r.status, r.body)
	}
	r = e.call(t, "GET", keysPath("key", p+"a"), e.admin, nil)
	var a getAnswer
	r.json(t, &a)
	if a.KVs[0].Value != nil || string(a.KVs[0].ValueBase64) != "\xff\x00" {
		t.Fatalf("binary value answered as %s", r.body)
	}

	cases := []struct {
		name   string
		body   map[string]any
		status int
		want   string
	}{
		{"cas with a stale mod revision", map[string]any{"key": p + "a", "value": "x", "mod_revision": modRev}, 409, "compare failed: mod_revision of the key is"},
		{"cas create when missing", map[string]any{"key": p + "new", "value": "x", "mod_revision": 0}, 200, ""},
		{"cas create when present", map[string]any{"key": p + "new", "value": "y", "mod_revision": 0}, 409, "not 0"},
		{"cas without mod revision", map[string]any{"key": p + "new", "value": "y"}, 400, "mod_revision: required"},
		{"cas delete with value", map[string]any{"key": p + "new", "value": "y", "delete": true, "mod_revision": 1}, 400, "delete: no value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "POST", "/api/v1/clusters/c1/keys/cas", e.admin, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if c.want != "" {
				if got := r.errorText(t); !strings.Contains(got, c.want) {
					t.Fatalf("error %q does not contain %q", got, c.want)
				}
			}
		})
	}
	cur, err := cli.Get(ctx, p+"new")
	if err != nil || len(cur.Kvs) != 1 {
		t.Fatal(err)
	}
	r = e.call(t, "POST", "/api/v1/clusters/c1/keys/cas", e.admin, map[string]any{"key": p + "new", "delete": true, "mod_revision": cur.Kvs[0].ModRevision})
	if r.status != 200 {
		t.Fatalf("cas delete: %d %s", r.status, r.body)
	}

	r = e.call(t, "DELETE", keysPath("key", p, "prefix", "true", "prev_kv", "true"), e.admin, nil)
	var del struct {
		Deleted int64
		PrevKVs []kv `json:"prev_kvs"`
	}
	r.json(t, &del)
	if r.status != 200 || del.Deleted != 1 || len(del.PrevKVs) != 1 {
		t.Fatalf("delete prefix: %d %s", r.status, r.body)
	}
}

func TestPutRefusesOversizedAndMalformedRequestsBeforeSendingThem(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	limit := e.cfg.Limits.MaxRequestBytes
	cases := []struct {
		name   string
		body   any
		status int
		want   string
	}{
		{"value over etcd's request limit", map[string]any{"key": p + "big", "value": strings.Repeat("x", limit)}, http.StatusRequestEntityTooLarge, "etcd accepts at most"},
		{"body far over the limit", `{"key":"` + p + `big","value":"` + strings.Repeat("x", 3*limit) + `"}`, http.StatusRequestEntityTooLarge, "request body larger than"},
		{"no value", map[string]any{"key": p + "k"}, 400, "value: required"},
		{"value in both forms", map[string]any{"key": p + "k", "value": "a", "value_base64": "YQ=="}, 400, "set either value or value_base64"},
		{"bad base64", map[string]any{"key": p + "k", "value_base64": "%%%"}, 400, "request body"},
		{"unknown field", map[string]any{"key": p + "k", "value": "v", "ttl": 5}, 400, `unknown field "ttl"`},
		{"trailing data", `{"key":"` + p + `k","value":"v"} {}`, 400, "unexpected data after the JSON object"},
		{"wrong type", `{"key":"` + p + `k","value":"v","lease":"abc"}`, 400, "lease: want int64"},
		{"empty body", "", 400, "empty, want a JSON object"},
		{"unknown lease", map[string]any{"key": p + "k", "value": "v", "lease": 12345}, 404, "requested lease not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %.300s", r.status, c.status, r.body)
			}
			if got := r.errorText(t); !strings.Contains(got, c.want) {
				t.Fatalf("error %q does not contain %q", got, c.want)
			}
		})
	}
	cli := e.etcdClient(t)
	if resp, err := cli.Get(context.Background(), p+"big"); err != nil || resp.Count != 0 {
		t.Fatalf("oversized value reached etcd: %v %v", resp, err)
	}
}

// continueToken is the `continue` token of a page starting at key, read at revision: base64url
// of the revision (uvarint) followed by the key, as the keys area makes it.
func continueToken(revision uint64, key string) string {
	return base64.RawURLEncoding.EncodeToString(append(binary.AppendUvarint(nil, revision), key...))
}
