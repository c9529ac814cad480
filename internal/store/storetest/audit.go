package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// rec returns a valid record; i varies its time and fields.
func rec(i int) store.AuditRecord {
	size, sum := store.ValueDigest([]byte(fmt.Sprintf("value-%d", i)))
	var clientReqID string
	if i%2 == 0 {
		clientReqID = fmt.Sprintf("client-%d", i)
	}
	var command string
	if i%3 == 0 {
		command = fmt.Sprintf("put /app/key-%d <redacted %d bytes>", i, size)
	}
	return store.AuditRecord{
		Command:         command,
		ClientRequestID: clientReqID,
		Time:            base.Add(time.Duration(i) * time.Second),
		RequestID:       fmt.Sprintf("req-%d", i),
		User:            []string{"alice", "bob", "carol"}[i%3],
		TokenID:         "tok-1",
		Role:            "editor",
		Source:          "10.0.0.1:5555",
		Cluster:         []string{"prod", "staging"}[i%2],
		Operation:       []string{"put", "delete", "range", "compact"}[i%4],
		Key:             []byte(fmt.Sprintf("/app/key-%d", i)),
		ValueSize:       size,
		ValueSHA256:     sum,
		Outcome:         []store.Outcome{store.OutcomeSucceeded, store.OutcomeFailed, store.OutcomeDenied, store.OutcomeAttempted, store.OutcomeSucceeded}[i%5],
		Duration:        time.Duration(i) * time.Millisecond,
	}
}

func appendN(t testing.TB, st store.Store, from, n int) []store.AuditRecord {
	t.Helper()
	recs := make([]store.AuditRecord, n)
	for i := range recs {
		recs[i] = rec(from + i)
	}
	out, err := st.AppendAudit(ctx(t), recs...)
	if err != nil {
		t.Fatalf("append %d records: %v", n, err)
	}
	return out
}

func all(t testing.TB, st store.Store) []store.AuditRecord {
	t.Helper()
	var out []store.AuditRecord
	f := store.AuditFilter{Limit: store.MaxAuditLimit}
	for {
		page, err := st.QueryAudit(ctx(t), f)
		if err != nil {
			t.Fatalf("query audit: %v", err)
		}
		out = append(out, page.Records...)
		if page.Next == 0 {
			return out
		}
		f.Cursor = page.Next
	}
}

func verify(t testing.TB, st store.Store) store.AuditVerification {
	t.Helper()
	v, err := st.VerifyAudit(ctx(t))
	if err != nil {
		t.Fatalf("verify audit: %v", err)
	}
	return v
}

func wantIntact(t testing.TB, st store.Store, checked int64) store.AuditVerification {
	t.Helper()
	v := verify(t, st)
	if !v.OK() {
		t.Fatalf("verify: chain broken at %d: %s", v.Break.Seq, v.Break.Reason)
	}
	if v.Checked != checked {
		t.Fatalf("verify checked %d records, want %d", v.Checked, checked)
	}
	return v
}

func wantBreak(t testing.TB, st store.Store, seq int64, reason string) {
	t.Helper()
	v := verify(t, st)
	if v.OK() {
		t.Fatalf("verify: chain reported intact, want a break at %d", seq)
	}
	if v.Break.Seq != seq || !strings.Contains(v.Break.Reason, reason) {
		t.Fatalf("verify: break at %d (%s), want %d (%s)", v.Break.Seq, v.Break.Reason, seq, reason)
	}
}

func testAuditAppendChains(t *testing.T, b Backend) {
	st := open(t, b)
	got := append(appendN(t, st, 0, 3), appendN(t, st, 3, 2)...)
	prev := store.GenesisHash
	for i, r := range got {
		if r.Seq != int64(i+1) {
			t.Fatalf("record %d: seq %d, want %d", i, r.Seq, i+1)
		}
		if !bytes.Equal(r.PrevHash, prev) {
			t.Fatalf("record %d: prev hash does not link to the previous record", r.Seq)
		}
		if !bytes.Equal(r.Hash, store.ChainHash(prev, &r)) {
			t.Fatalf("record %d: hash is not ChainHash(prev, record)", r.Seq)
		}
		prev = r.Hash
	}
	if out, err := st.AppendAudit(ctx(t)); err != nil || len(out) != 0 {
		t.Fatalf("empty append: %v, %d records", err, len(out))
	}
	r := rec(0)
	r.Time = time.Time{}
	before := time.Now().Add(-time.Second)
	out, err := st.AppendAudit(ctx(t), r)
	if err != nil {
		t.Fatalf("append without time: %v", err)
	}
	if out[0].Time.Before(before) || out[0].Time.Location() != time.UTC {
		t.Fatalf("append without time: time %v, want now in UTC", out[0].Time)
	}
}

func testAuditAppendAllOrNothing(t *testing.T, b Backend) {
	st := open(t, b)
	bad := []func(*store.AuditRecord){
		func(r *store.AuditRecord) { r.Operation = "" },
		func(r *store.AuditRecord) { r.Outcome = "maybe" },
		func(r *store.AuditRecord) { r.ValueSHA256 = "not-hex" },
		func(r *store.AuditRecord) { r.ValueSize = -1 },
		func(r *store.AuditRecord) { r.KeySize = 3 },
		func(r *store.AuditRecord) { r.KeySize, r.KeySHA256 = 40, "not-hex" },
		func(r *store.AuditRecord) { r.KeySize, r.KeySHA256 = 1, strings.Repeat("a", 64) },
		func(r *store.AuditRecord) { r.RangeEndSHA256 = "abc" },
	}
	for i, mutate := range bad {
		r := rec(1)
		mutate(&r)
		if _, err := st.AppendAudit(ctx(t), rec(0), r); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("bad record %d: err %v, want ErrInvalid", i, err)
		}
	}
	if n := len(all(t, st)); n != 0 {
		t.Fatalf("%d records committed from rejected batches, want 0", n)
	}
	wantIntact(t, st, 0)
}

func testAuditRoundTrip(t *testing.T, b Backend) {
	st := open(t, b)
	r := rec(7)
	r.Time = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
	r.Key = []byte{'/', 0x00, 0xff, 0xfe, 'k'}
	r.RangeEnd = []byte{0x00}
	r.Error = "etcdserver: bad \xff key \x00 here"
	r.ValueSHA256 = strings.ToUpper(r.ValueSHA256)
	r.Command = "txn\ncompares: mod(\"/app/k\") > \"5\"\n\xff"
	out, err := st.AppendAudit(ctx(t), r)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	w := out[0]
	if !w.Time.Equal(time.Date(2026, 3, 1, 11, 0, 0, 123456000, time.UTC)) || w.Time.Location() != time.UTC {
		t.Fatalf("time %v, want UTC with microsecond precision", w.Time)
	}
	if w.Error != "etcdserver: bad \uFFFD key \uFFFD here" {
		t.Fatalf("error text %q, want invalid bytes replaced", w.Error)
	}
	if w.Command != "txn\ncompares: mod(\"/app/k\") > \"5\"\n\uFFFD" {
		t.Fatalf("command %q, want kept with invalid bytes replaced", w.Command)
	}
	if w.ValueSHA256 != strings.ToLower(r.ValueSHA256) {
		t.Fatalf("value sha256 %q, want lower case", w.ValueSHA256)
	}
	got := all(t, st)
	if len(got) != 1 || !reflect.DeepEqual(got[0], w) {
		t.Fatalf("stored record differs from appended one:\n got %+v\nwant %+v", got, w)
	}
	long := rec(8)
	long.Error = strings.Repeat("é", store.MaxAuditErrorLen)
	out, err = st.AppendAudit(ctx(t), long)
	if err != nil {
		t.Fatalf("append long error: %v", err)
	}
	if n := len(out[0].Error); n > store.MaxAuditErrorLen || n < store.MaxAuditErrorLen-1 {
		t.Fatalf("long error kept %d bytes, want about %d", n, store.MaxAuditErrorLen)
	}
	wantIntact(t, st, 2)
}

// A record keeps at most store.MaxAuditKeyLen bytes of a key and a range end, with the size
// and sha256 of the whole one, and at most store.MaxAuditTextLen bytes of each text field:
// no caller can grow the log by more than a few KiB per record.
func testAuditRecordIsBounded(t *testing.T, b Backend) {
	st := open(t, b)
	long := rec(1)
	long.Key = bytes.Repeat([]byte("k"), 750*1024)
	long.RangeEnd = bytes.Repeat([]byte{0xff}, store.MaxAuditKeyLen+1)
	long.User = strings.Repeat("ü", store.MaxAuditTextLen)
	long.Source = strings.Repeat("s", 1<<20)
	long.Cluster = strings.Repeat("c", store.MaxAuditTextLen+1)
	exact := rec(2)
	exact.Key = bytes.Repeat([]byte("e"), store.MaxAuditKeyLen)
	withheld := rec(3)
	withheld.Key, withheld.RangeEnd = bytes.Repeat([]byte("w"), 5000), []byte("/end")
	withheld.WithholdKeys()
	out, err := st.AppendAudit(ctx(t), long, exact, withheld, rec(4))
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	keySize, keySHA := store.ValueDigest(bytes.Repeat([]byte("k"), 750*1024))
	endSize, endSHA := store.ValueDigest(bytes.Repeat([]byte{0xff}, store.MaxAuditKeyLen+1))
	heldSize, heldSHA := store.ValueDigest(bytes.Repeat([]byte("w"), 5000))
	heldEndSize, heldEndSHA := store.ValueDigest([]byte("/end"))
	checks := []struct {
		name      string
		got, want any
	}{
		{"long key kept", string(out[0].Key), strings.Repeat("k", store.MaxAuditKeyLen)},
		{"long key size", out[0].KeySize, keySize},
		{"long key sha256", out[0].KeySHA256, keySHA},
		{"long range end kept", len(out[0].RangeEnd), store.MaxAuditKeyLen},
		{"long range end size", out[0].RangeEndSize, endSize},
		{"long range end sha256", out[0].RangeEndSHA256, endSHA},
		{"user cut without splitting a character", out[0].User, strings.Repeat("ü", store.MaxAuditTextLen/2)},
		{"source cut", len(out[0].Source), store.MaxAuditTextLen},
		{"cluster cut", len(out[0].Cluster), store.MaxAuditTextLen},
		{"key of exactly the bound kept whole", len(out[1].Key), store.MaxAuditKeyLen},
		{"key of exactly the bound has no digest", out[1].KeySize == 0 && out[1].KeySHA256 == "", true},
		{"withheld key", out[2].Key == nil && out[2].RangeEnd == nil, true},
		{"withheld key size", out[2].KeySize, heldSize},
		{"withheld key sha256", out[2].KeySHA256, heldSHA},
		{"withheld range end size", out[2].RangeEndSize, heldEndSize},
		{"withheld range end sha256", out[2].RangeEndSHA256, heldEndSHA},
		{"short key has no digest", out[3].KeySize == 0 && out[3].KeySHA256 == "", true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	got := all(t, st)
	if len(got) != len(out) {
		t.Fatalf("%d records stored, want %d", len(got), len(out))
	}
	for i := range out {
		if !reflect.DeepEqual(got[i], out[i]) {
			t.Errorf("stored record %d differs from appended one:\n got %+v\nwant %+v", out[i].Seq, got[i], out[i])
		}
	}
	wantIntact(t, st, int64(len(out)))
}

func testAuditQueryFilters(t *testing.T, b Backend) {
	st := open(t, b)
	recs := appendN(t, st, 0, 60)
	tests := []struct {
		name string
		f    store.AuditFilter
		keep func(r store.AuditRecord) bool
	}{
		{"all", store.AuditFilter{}, func(store.AuditRecord) bool { return true }},
		{"user", store.AuditFilter{User: "bob"}, func(r store.AuditRecord) bool { return r.User == "bob" }},
		{"cluster", store.AuditFilter{Cluster: "staging"}, func(r store.AuditRecord) bool { return r.Cluster == "staging" }},
		{"operation", store.AuditFilter{Operation: "delete"}, func(r store.AuditRecord) bool { return r.Operation == "delete" }},
		{"outcome", store.AuditFilter{Outcome: store.OutcomeDenied}, func(r store.AuditRecord) bool { return r.Outcome == store.OutcomeDenied }},
		{"time range", store.AuditFilter{From: base.Add(10 * time.Second), To: base.Add(20 * time.Second)},
			func(r store.AuditRecord) bool {
				return !r.Time.Before(base.Add(10*time.Second)) && r.Time.Before(base.Add(20*time.Second))
			}},
		{"combined", store.AuditFilter{User: "alice", Cluster: "prod", From: base.Add(30 * time.Second)},
			func(r store.AuditRecord) bool {
				return r.User == "alice" && r.Cluster == "prod" && !r.Time.Before(base.Add(30*time.Second))
			}},
		{"request id, matched exactly", store.AuditFilter{RequestID: "req-1"}, func(r store.AuditRecord) bool { return r.RequestID == "req-1" }},
		{"request id and another field", store.AuditFilter{RequestID: "req-7", User: "alice"}, func(store.AuditRecord) bool { return false }},
		{"nothing", store.AuditFilter{User: "mallory"}, func(store.AuditRecord) bool { return false }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want []int64
			for _, r := range recs {
				if tc.keep(r) {
					want = append(want, r.Seq)
				}
			}
			page, err := st.QueryAudit(ctx(t), tc.f)
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			if got := seqs(page.Records); !reflect.DeepEqual(got, want) {
				t.Fatalf("seqs %v, want %v", got, want)
			}
			if page.Next != 0 {
				t.Fatalf("next %d on the only page, want 0", page.Next)
			}
		})
	}
}

// A filter by key prefixes keeps the records of keys under them (by the stored key, and with
// a range end that does not reach past the prefix) and the records of OrTokenID, and pages
// through them with full pages and an exact cursor.
func testAuditQueryByKeyPrefixes(t *testing.T, b Backend) {
	st := open(t, b)
	withKey := func(token, key, end string) store.AuditRecord {
		r := rec(0)
		r.TokenID, r.Key, r.RangeEnd = token, []byte(key), []byte(end)
		return r
	}
	long := withKey("tok-1", "/a/"+strings.Repeat("l", 2*store.MaxAuditKeyLen), "")
	withheld := withKey("tok-1", "/a/refused", "")
	withheld.WithholdKeys()
	recs := []store.AuditRecord{
		withKey("tok-1", "/a/x", ""),         // 1: under /a/
		withKey("tok-1", "/b/x", ""),         // 2: not
		withKey("tok-1", "/ab", ""),          // 3: not (shares the first bytes only)
		withKey("tok-1", "/a/", "/a0"),       // 4: the prefix /a/ itself
		withKey("tok-1", "/a/1", "/a/5"),     // 5: a range within /a/
		withKey("tok-1", "/a/1", "/c"),       // 6: a range reaching past /a/
		withKey("tok-2", "/b/mine", ""),      // 7: OrTokenID's own
		withKey("tok-2", "", ""),             // 8: OrTokenID's own, no key
		long,                                 // 9: under /a/ by its stored first bytes
		withheld,                             // 10: a refusal keeps no key
		withKey("tok-1", "\xff\xff", "\x00"), // 11: under the prefix \xff
		withKey("tok-1", "/a\x00", ""),       // 12: not
		withKey("tok-1", "/c/\x00\xff", ""),  // 13: under /c/
	}
	if _, err := st.AppendAudit(ctx(t), recs...); err != nil {
		t.Fatalf("append: %v", err)
	}
	appendN(t, st, 100, 30) // tok-1, keys /app/key-N
	tests := []struct {
		name string
		f    store.AuditFilter
		want []int64
	}{
		{"one prefix", store.AuditFilter{KeyPrefixes: [][]byte{[]byte("/a/")}}, []int64{1, 4, 5, 9}},
		{"one prefix or a token", store.AuditFilter{KeyPrefixes: [][]byte{[]byte("/a/")}, OrTokenID: "tok-2"}, []int64{1, 4, 5, 7, 8, 9}},
		{"two prefixes", store.AuditFilter{KeyPrefixes: [][]byte{[]byte("/b/"), []byte("/c/")}}, []int64{2, 7, 13}},
		{"prefix of 0xff bytes", store.AuditFilter{KeyPrefixes: [][]byte{{0xff}}}, []int64{11}},
		{"with another field", store.AuditFilter{KeyPrefixes: [][]byte{[]byte("/a/")}, OrTokenID: "tok-2", Operation: "put"}, []int64{1, 4, 5, 7, 8, 9}},
		{"with another field that excludes them", store.AuditFilter{KeyPrefixes: [][]byte{[]byte("/a/")}, OrTokenID: "tok-2", Cluster: "staging"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, limit := range []int{0, 1, 2} {
				for _, newest := range []bool{false, true} {
					f := tc.f
					f.Limit, f.NewestFirst = limit, newest
					var got []int64
					for {
						page, err := st.QueryAudit(ctx(t), f)
						if err != nil {
							t.Fatalf("query: %v", err)
						}
						if page.Next != 0 && len(page.Records) != limit {
							t.Fatalf("limit %d: a page of %d records before the last", limit, len(page.Records))
						}
						got = append(got, seqs(page.Records)...)
						if page.Next == 0 {
							break
						}
						f.Cursor = page.Next
					}
					want := slices.Clone(tc.want)
					if newest {
						slices.Reverse(want)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("limit %d, newest first %v: seqs %v, want %v", limit, newest, got, want)
					}
				}
			}
		})
	}
}

// A request id selects every record of that request (a mutation's attempt and outcome), in
// either order, and nothing of another request.
func testAuditQueryByRequestID(t *testing.T, b Backend) {
	st := open(t, b)
	appendN(t, st, 0, 12)
	var recs []store.AuditRecord
	for _, o := range []store.Outcome{store.OutcomeAttempted, store.OutcomeSucceeded} {
		r := rec(100)
		r.RequestID, r.Outcome = "req-mutation", o
		recs = append(recs, r)
	}
	other := rec(101)
	other.RequestID = "req-mutation-2"
	recs = append(recs, other)
	out, err := st.AppendAudit(ctx(t), recs...)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	appendN(t, st, 12, 3)
	for _, newest := range []bool{false, true} {
		page, err := st.QueryAudit(ctx(t), store.AuditFilter{RequestID: "req-mutation", NewestFirst: newest})
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		want := []int64{out[0].Seq, out[1].Seq}
		if newest {
			want = []int64{out[1].Seq, out[0].Seq}
		}
		if got := seqs(page.Records); !reflect.DeepEqual(got, want) || page.Next != 0 {
			t.Fatalf("newest first %v: seqs %v (next %d), want %v", newest, got, page.Next, want)
		}
	}
	page, err := st.QueryAudit(ctx(t), store.AuditFilter{RequestID: "req-mutation", Outcome: store.OutcomeSucceeded})
	if err != nil || len(page.Records) != 1 || page.Records[0].Seq != out[1].Seq {
		t.Fatalf("request id and outcome: %+v, %v", page.Records, err)
	}
	page, err = st.QueryAudit(ctx(t), store.AuditFilter{RequestID: "req-"})
	if err != nil || len(page.Records) != 0 {
		t.Fatalf("a request id prefix matched %d records (%v), want none", len(page.Records), err)
	}
}

func testAuditQueryPages(t *testing.T, b Backend) {
	st := open(t, b)
	appendN(t, st, 0, 25)
	for _, newest := range []bool{false, true} {
		t.Run(fmt.Sprintf("newest first %v", newest), func(t *testing.T) {
			f := store.AuditFilter{Limit: 10, NewestFirst: newest, User: "alice"}
			var got []int64
			pages := 0
			for {
				page, err := st.QueryAudit(ctx(t), f)
				if err != nil {
					t.Fatalf("query: %v", err)
				}
				pages++
				got = append(got, seqs(page.Records)...)
				if page.Next == 0 {
					break
				}
				f.Cursor = page.Next
			}
			var want []int64
			for i := 0; i < 25; i += 3 {
				want = append(want, int64(i+1))
			}
			if newest {
				for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
					want[i], want[j] = want[j], want[i]
				}
			}
			if !reflect.DeepEqual(got, want) || pages != 1 {
				t.Fatalf("alice: %v in %d pages, want %v in 1", got, pages, want)
			}
			f = store.AuditFilter{Limit: 10, NewestFirst: newest}
			got, pages = nil, 0
			for {
				page, err := st.QueryAudit(ctx(t), f)
				if err != nil {
					t.Fatalf("query: %v", err)
				}
				pages++
				got = append(got, seqs(page.Records)...)
				if page.Next == 0 {
					break
				}
				f.Cursor = page.Next
			}
			if len(got) != 25 || pages != 3 {
				t.Fatalf("got %d records in %d pages, want 25 in 3", len(got), pages)
			}
			for i := 1; i < len(got); i++ {
				if (got[i] > got[i-1]) == newest {
					t.Fatalf("pages out of order: %v", got)
				}
			}
		})
	}
}

func testAuditQueryRejectsBadFilter(t *testing.T, b Backend) {
	st := open(t, b)
	for _, f := range []store.AuditFilter{
		{Outcome: "maybe"},
		{Cursor: -1},
		{From: base, To: base},
	} {
		if _, err := st.QueryAudit(ctx(t), f); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("filter %+v: err %v, want ErrInvalid", f, err)
		}
	}
}

func testAuditVerifyIntact(t *testing.T, b Backend) {
	st := open(t, b)
	v := wantIntact(t, st, 0)
	if v.Head.Seq != 0 || v.Anchor.Seq != 0 {
		t.Fatalf("empty log: head %d anchor %d, want 0 and 0", v.Head.Seq, v.Anchor.Seq)
	}
	recs := appendN(t, st, 0, 20)
	v = wantIntact(t, st, 20)
	if v.Head.Seq != 20 || !bytes.Equal(v.Head.Hash, recs[19].Hash) {
		t.Fatalf("head %d %x, want 20 %x", v.Head.Seq, v.Head.Hash, recs[19].Hash)
	}
}

// tamper appends n records, closes the store and calls fn to edit storage.
func tamper(t *testing.T, b Backend, n int, fn func()) {
	t.Helper()
	st := b.Open(t)
	appendN(t, st, 0, n)
	if err := st.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	fn()
}

func testAuditVerifyAltered(t *testing.T, b Backend) {
	tamper(t, b, 10, func() {
		b.AlterAuditRecord(t, 4, func(r *store.AuditRecord) { r.User = "mallory" })
	})
	wantBreak(t, open(t, b), 4, "altered")
}

func testAuditVerifyAlteredClientRequestID(t *testing.T, b Backend) {
	tamper(t, b, 10, func() {
		b.AlterAuditRecord(t, 5, func(r *store.AuditRecord) { r.ClientRequestID = "forged" })
	})
	wantBreak(t, open(t, b), 5, "altered")
}

func testAuditVerifyAlteredCommand(t *testing.T, b Backend) {
	tamper(t, b, 10, func() {
		// Record 7 is rec(6), which has a command; testAuditVerifyAddedCommand adds one to
		// record 5 (rec(4)), which has none.
		b.AlterAuditRecord(t, 7, func(r *store.AuditRecord) { r.Command = "get /app/key-6" })
	})
	wantBreak(t, open(t, b), 7, "altered")
}

func testAuditVerifyAddedCommand(t *testing.T, b Backend) {
	tamper(t, b, 10, func() {
		b.AlterAuditRecord(t, 5, func(r *store.AuditRecord) { r.Command = "del /app/key-4" })
	})
	wantBreak(t, open(t, b), 5, "altered")
}

func testAuditVerifyRehashed(t *testing.T, b Backend) {
	tamper(t, b, 10, func() {
		b.AlterAuditRecord(t, 6, func(r *store.AuditRecord) {
			r.Outcome = store.OutcomeSucceeded
			r.Operation = "range"
			r.Hash = store.ChainHash(r.PrevHash, r)
		})
	})
	wantBreak(t, open(t, b), 6, "altered")
}

func testAuditVerifyMissing(t *testing.T, b Backend) {
	tamper(t, b, 10, func() { b.DeleteAuditRecord(t, 3) })
	wantBreak(t, open(t, b), 3, "missing")
}

func testAuditVerifyTruncated(t *testing.T, b Backend) {
	tamper(t, b, 10, func() {
		b.DeleteAuditRecord(t, 10)
		b.DeleteAuditRecord(t, 9)
	})
	wantBreak(t, open(t, b), 9, "missing")
}

func testAuditPrune(t *testing.T, b Backend) {
	st := open(t, b)
	recs := appendN(t, st, 0, 30)
	res, err := st.PruneAudit(ctx(t), base)
	if err != nil || res.Removed != 0 || res.Anchor.Seq != 0 {
		t.Fatalf("prune before the first record: %+v, %v; want nothing removed", res, err)
	}
	res, err = st.PruneAudit(ctx(t), base.Add(12*time.Second))
	if err != nil {
		t.Fatalf("prune: %v", err)
	}
	if res.Removed != 12 || res.Anchor.Seq != 12 || !bytes.Equal(res.Anchor.Hash, recs[11].Hash) {
		t.Fatalf("prune: removed %d anchor %d, want 12 and 12 with record 12's hash", res.Removed, res.Anchor.Seq)
	}
	v := wantIntact(t, st, 18)
	if v.Anchor.Seq != 12 {
		t.Fatalf("verify anchor %d, want 12", v.Anchor.Seq)
	}
	if got := all(t, st); len(got) != 18 || got[0].Seq != 13 {
		t.Fatalf("after prune: %d records from %v, want 18 from 13", len(got), seqs(got[:1]))
	}
	appendN(t, st, 30, 5)
	wantIntact(t, st, 23)
	if res, err = st.PruneAudit(ctx(t), base.Add(12*time.Second)); err != nil || res.Removed != 0 || res.Anchor.Seq != 12 {
		t.Fatalf("second prune with the same cutoff: %+v, %v; want nothing removed, anchor 12", res, err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	b.DeleteAuditRecord(t, 13)
	wantBreak(t, open(t, b), 13, "missing")
}

func testAuditPruneAll(t *testing.T, b Backend) {
	st := open(t, b)
	appendN(t, st, 0, 5)
	res, err := st.PruneAudit(ctx(t), base.Add(time.Hour))
	if err != nil || res.Removed != 5 || res.Anchor.Seq != 5 {
		t.Fatalf("prune all: %+v, %v; want 5 removed, anchor 5", res, err)
	}
	wantIntact(t, st, 0)
	out := appendN(t, st, 5, 2)
	if out[0].Seq != 6 || !bytes.Equal(out[0].PrevHash, res.Anchor.Hash) {
		t.Fatalf("append after pruning all: seq %d, want 6 linked to the anchor", out[0].Seq)
	}
	wantIntact(t, st, 2)
}

func testAuditConcurrent(t *testing.T, b Backend) {
	st := open(t, b)
	const workers, rounds = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				n := 1 + (w+i)%4
				recs := make([]store.AuditRecord, n)
				for j := range recs {
					recs[j] = rec(w*1000 + i*10 + j)
				}
				if _, err := st.AppendAudit(ctx(t), recs...); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent append: %v", err)
	}
	var total int64
	for w := range workers {
		for i := range rounds {
			total += int64(1 + (w+i)%4)
		}
	}
	wantIntact(t, st, total)
}

func testAuditWriter(t *testing.T, b Backend) {
	st := open(t, b)
	w := store.NewAuditWriter(st, store.AuditWriterOptions{MaxBatch: 64})
	const workers, each = 32, 25
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r, err := w.Append(ctx(t), rec(g*100+i))
				if err != nil {
					t.Errorf("writer append: %v", err)
					return
				}
				mu.Lock()
				if seen[r.Seq] || len(r.Hash) != store.HashSize {
					t.Errorf("writer returned seq %d twice or without a hash", r.Seq)
				}
				seen[r.Seq] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatalf("close writer: %v", err)
	}
	if _, err := w.Append(ctx(t), rec(0)); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("append after close: %v, want ErrClosed", err)
	}
	bad := rec(0)
	bad.Operation = ""
	if _, err := store.NewAuditWriter(st, store.AuditWriterOptions{}).Append(ctx(t), bad); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("writer append of invalid record: %v, want ErrInvalid", err)
	}
	wantIntact(t, st, workers*each)
}

func testAuditRestart(t *testing.T, b Backend) {
	st := b.Open(t)
	appendN(t, st, 0, 7)
	if err := st.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	st = open(t, b)
	out := appendN(t, st, 7, 3)
	if out[0].Seq != 8 {
		t.Fatalf("first seq after restart %d, want 8", out[0].Seq)
	}
	wantIntact(t, st, 10)
}

func seqs(recs []store.AuditRecord) []int64 {
	var out []int64
	for _, r := range recs {
		out = append(out, r.Seq)
	}
	return out
}
