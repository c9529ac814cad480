package store_test

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func sample() store.AuditRecord {
	return store.AuditRecord{
		Seq: 1, Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), RequestID: "r", User: "u",
		TokenID: "t", Role: "admin", Source: "s", Cluster: "c", Operation: "put", Key: []byte("k"),
		RangeEnd: []byte("l"), ValueSize: 3, ValueSHA256: "ab", Outcome: store.OutcomeSucceeded,
		Error: "e", Duration: time.Millisecond,
	}
}

func TestChainHashIsStable(t *testing.T) {
	r := sample()
	// The encoding is a published format (see ChainHash): a change here
	// breaks verification of every existing log and exported copy. The value
	// was computed independently (Python, from the documented encoding).
	const want = "83c0197ccbe8521fc0c018c8f05578e08b33dab621d8228a3017e5a7fff7afe0"
	got := hex.EncodeToString(store.ChainHash(store.GenesisHash, &r))
	if got != want {
		t.Fatalf("ChainHash of the sample record is %s, want %s", got, want)
	}
	// With a client request id, appended after duration_ns (also computed independently);
	// without one, the hash above is unchanged, so older logs still verify.
	r.ClientRequestID = "client-1"
	const withClient = "13f1c5e9083037a83efbe61eea705e80cc0ae22347c9b3c6c392f4851557ed1f"
	if got := hex.EncodeToString(store.ChainHash(store.GenesisHash, &r)); got != withClient {
		t.Fatalf("ChainHash of the sample record with a client request id is %s, want %s", got, withClient)
	}
}

// The key digest fields extend the encoding only when set: a record without them hashes as
// every record did before they existed (TestChainHashIsStable), one with them as below.
func TestChainHashOfKeyDigestIsStable(t *testing.T) {
	r := sample()
	r.KeySize, r.KeySHA256 = 5000, "cd"
	// Computed independently (Python, from the documented encoding).
	const want = "3f9425157a7e27982e18c4a1f0e357f5982e135ebc880a32d73ed20f582f2813"
	if got := hex.EncodeToString(store.ChainHash(store.GenesisHash, &r)); got != want {
		t.Fatalf("ChainHash of the sample record with a key digest is %s, want %s", got, want)
	}
	k, e := sample(), sample()
	k.KeySize, k.KeySHA256 = 7, "ab"
	e.RangeEndSize, e.RangeEndSHA256 = 7, "ab"
	if bytes.Equal(store.ChainHash(store.GenesisHash, &k), store.ChainHash(store.GenesisHash, &e)) {
		t.Fatal("a key digest and the same range end digest hash alike")
	}
}

// The console command extends the encoding only when set, after a 0xFFFFFFFF marker: a record
// without one hashes as before (TestChainHashIsStable), one with it as below.
func TestChainHashOfCommandIsStable(t *testing.T) {
	r := sample()
	r.Command = "put k <redacted 3 bytes>"
	// Computed independently (Python, from the documented encoding).
	const want = "19e7110ca737a93dafdaf96dc9c2a17f31b25f1be2a529d89e20b837403ad701"
	if got := hex.EncodeToString(store.ChainHash(store.GenesisHash, &r)); got != want {
		t.Fatalf("ChainHash of the sample record with a command is %s, want %s", got, want)
	}
	r.ClientRequestID = "client-1"
	const withClient = "b0fb4c449082fe20f044729852e365bfeee86b1a1c3a6313d1c1c0b96768741b"
	if got := hex.EncodeToString(store.ChainHash(store.GenesisHash, &r)); got != withClient {
		t.Fatalf("ChainHash with a client request id and a command is %s, want %s", got, withClient)
	}
	// A client request id cannot pose as a command: its length is never the marker.
	c, k := sample(), sample()
	c.Command = "x"
	k.ClientRequestID = "\xff\xff\xff\xff"
	if bytes.Equal(store.ChainHash(store.GenesisHash, &c), store.ChainHash(store.GenesisHash, &k)) {
		t.Fatal("a command and a client request id hash alike")
	}
}

func TestChainHashCoversEveryField(t *testing.T) {
	ref := sample()
	base := store.ChainHash(store.GenesisHash, &ref)
	mutations := map[string]func(*store.AuditRecord){
		"seq":               func(r *store.AuditRecord) { r.Seq++ },
		"time":              func(r *store.AuditRecord) { r.Time = r.Time.Add(time.Microsecond) },
		"request id":        func(r *store.AuditRecord) { r.RequestID += "x" },
		"user":              func(r *store.AuditRecord) { r.User += "x" },
		"token id":          func(r *store.AuditRecord) { r.TokenID += "x" },
		"role":              func(r *store.AuditRecord) { r.Role += "x" },
		"source":            func(r *store.AuditRecord) { r.Source += "x" },
		"cluster":           func(r *store.AuditRecord) { r.Cluster += "x" },
		"operation":         func(r *store.AuditRecord) { r.Operation += "x" },
		"key":               func(r *store.AuditRecord) { r.Key = append(r.Key, 'x') },
		"range end":         func(r *store.AuditRecord) { r.RangeEnd = append(r.RangeEnd, 'x') },
		"value size":        func(r *store.AuditRecord) { r.ValueSize++ },
		"value sha256":      func(r *store.AuditRecord) { r.ValueSHA256 += "c" },
		"outcome":           func(r *store.AuditRecord) { r.Outcome = store.OutcomeFailed },
		"error":             func(r *store.AuditRecord) { r.Error += "x" },
		"duration":          func(r *store.AuditRecord) { r.Duration++ },
		"key size":          func(r *store.AuditRecord) { r.KeySize = 1 },
		"key sha256":        func(r *store.AuditRecord) { r.KeySHA256 = "ab" },
		"range end size":    func(r *store.AuditRecord) { r.RangeEndSize = 1 },
		"range end sha256":  func(r *store.AuditRecord) { r.RangeEndSHA256 = "ab" },
		"client request id": func(r *store.AuditRecord) { r.ClientRequestID = "x" },
		"command":           func(r *store.AuditRecord) { r.Command = "get k" },
		"field boundary": func(r *store.AuditRecord) {
			r.RequestID, r.User = "ru", ""
		},
	}
	for name, mutate := range mutations {
		r := sample()
		mutate(&r)
		if bytes.Equal(store.ChainHash(store.GenesisHash, &r), base) {
			t.Errorf("changing %s leaves the hash unchanged", name)
		}
	}
	other := bytes.Repeat([]byte{1}, store.HashSize)
	if bytes.Equal(store.ChainHash(other, &ref), base) {
		t.Errorf("changing the previous hash leaves the hash unchanged")
	}
}

func chain(n int) []store.AuditRecord {
	c := store.NewChain(store.ChainPoint{})
	out := make([]store.AuditRecord, n)
	for i := range out {
		out[i] = sample()
		c.Link(&out[i])
	}
	return out
}

func TestVerifierReportsFirstBreak(t *testing.T) {
	head := func(recs []store.AuditRecord) store.ChainPoint {
		last := recs[len(recs)-1]
		return store.ChainPoint{Seq: last.Seq, Hash: last.Hash}
	}
	tests := []struct {
		name    string
		edit    func(recs []store.AuditRecord) ([]store.AuditRecord, store.ChainPoint)
		wantSeq int64
	}{
		{"intact", func(r []store.AuditRecord) ([]store.AuditRecord, store.ChainPoint) { return r, head(r) }, 0},
		{"altered", func(r []store.AuditRecord) ([]store.AuditRecord, store.ChainPoint) {
			h := head(r)
			r[2].User = "mallory"
			return r, h
		}, 3},
		{"missing", func(r []store.AuditRecord) ([]store.AuditRecord, store.ChainPoint) {
			return append(r[:1:1], r[2:]...), head(r)
		}, 2},
		{"duplicated", func(r []store.AuditRecord) ([]store.AuditRecord, store.ChainPoint) {
			return append(r[:3:3], r[2:]...), head(r)
		}, 3},
		{"tail cut", func(r []store.AuditRecord) ([]store.AuditRecord, store.ChainPoint) {
			return r[:3], head(r)
		}, 4},
		{"head rewritten", func(r []store.AuditRecord) ([]store.AuditRecord, store.ChainPoint) {
			h := head(r)
			h.Hash = bytes.Repeat([]byte{7}, store.HashSize)
			return r, h
		}, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, h := tc.edit(chain(5))
			v := store.NewVerifier(store.ChainPoint{}, h)
			for i := range recs {
				if !v.Next(&recs[i]) {
					break
				}
			}
			res := v.Finish()
			switch {
			case tc.wantSeq == 0 && !res.OK():
				t.Fatalf("break at %d (%s), want intact", res.Break.Seq, res.Break.Reason)
			case tc.wantSeq != 0 && (res.OK() || res.Break.Seq != tc.wantSeq):
				t.Fatalf("result %+v, want a break at %d", res.Break, tc.wantSeq)
			}
		})
	}
}

func TestPrepareAuditRecordNormalises(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 999, time.FixedZone("X", 7200))
	r, err := store.PrepareAuditRecord(store.AuditRecord{
		Operation: "put", Outcome: store.OutcomeDenied, User: "a\x00b", Key: []byte{},
		Seq: 9, Hash: []byte("forged"),
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Time.Equal(now.Truncate(time.Microsecond)) || r.Time.Location() != time.UTC {
		t.Errorf("time %v, want now in UTC to the microsecond", r.Time)
	}
	if r.User != "a\uFFFDb" || r.Key != nil || r.Seq != 0 || r.Hash != nil {
		t.Errorf("prepared record %+v: want NUL replaced, empty key nil, seq and hash cleared", r)
	}
}
