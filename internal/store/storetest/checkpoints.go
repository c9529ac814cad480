package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// checkpoint returns a checkpoint the store accepts; the store does not check
// signatures, so any non-empty bytes do.
func checkpoint(kind store.CheckpointKind, seq int64, tag byte) store.Checkpoint {
	return store.Checkpoint{
		Kind:      kind,
		Seq:       seq,
		Hash:      bytes.Repeat([]byte{tag}, store.HashSize),
		Time:      base.Add(time.Duration(seq)*time.Second + 1500*time.Nanosecond),
		Anchor:    store.ChainPoint{Seq: 0, Hash: store.GenesisHash},
		KeyID:     "key-1",
		Signature: []byte(fmt.Sprintf("sig-%d-%d", seq, tag)),
	}
}

func appendCheckpoints(t testing.TB, st store.Store, cps ...store.Checkpoint) {
	t.Helper()
	for _, c := range cps {
		if err := st.AppendCheckpoint(ctx(t), c); err != nil {
			t.Fatalf("append checkpoint %d: %v", c.Seq, err)
		}
	}
}

func listCheckpoints(t testing.TB, st store.Store, f store.CheckpointFilter) []store.Checkpoint {
	t.Helper()
	out, err := st.Checkpoints(ctx(t), f)
	if err != nil {
		t.Fatalf("checkpoints %+v: %v", f, err)
	}
	return out
}

// signatures identifies checkpoints in a list by their (distinct) signatures.
func signatures(cps []store.Checkpoint) []string {
	out := make([]string, len(cps))
	for i, c := range cps {
		out[i] = string(c.Signature)
	}
	return out
}

func testCheckpointsListBySeqInAppendOrder(t *testing.T, b Backend) {
	st := open(t, b)
	appendCheckpoints(t, st,
		checkpoint(store.CheckpointHead, 5, 1),
		checkpoint(store.CheckpointHead, 2, 2),
		checkpoint(store.CheckpointAnchor, 5, 3),
		checkpoint(store.CheckpointHead, 9, 4),
		checkpoint(store.CheckpointHead, 5, 5),
	)
	tests := []struct {
		name string
		f    store.CheckpointFilter
		want []string
	}{
		{"all", store.CheckpointFilter{}, []string{"sig-2-2", "sig-5-1", "sig-5-3", "sig-5-5", "sig-9-4"}},
		{"from seq", store.CheckpointFilter{FromSeq: 5}, []string{"sig-5-1", "sig-5-3", "sig-5-5", "sig-9-4"}},
		{"kind", store.CheckpointFilter{Kind: store.CheckpointAnchor}, []string{"sig-5-3"}},
		{"last", store.CheckpointFilter{Last: true}, []string{"sig-9-4"}},
		{"last of kind", store.CheckpointFilter{Kind: store.CheckpointHead, Last: true, FromSeq: 3}, []string{"sig-9-4"}},
		{"none", store.CheckpointFilter{FromSeq: 10}, []string{}},
	}
	for _, tc := range tests {
		got := signatures(listCheckpoints(t, st, tc.f))
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func testCheckpointRoundTripsExactly(t *testing.T, b Backend) {
	st := open(t, b)
	in := checkpoint(store.CheckpointAnchor, 7, 9)
	in.Anchor = store.ChainPoint{Seq: 7, Hash: in.Hash}
	in.Time = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("x", 3600))
	appendCheckpoints(t, st, in)
	st.Close()
	st = open(t, b)
	got := listCheckpoints(t, st, store.CheckpointFilter{})
	want := in
	want.Time = store.NormalizeTime(in.Time)
	if len(got) != 1 || fmt.Sprintf("%+v", got[0]) != fmt.Sprintf("%+v", want) {
		t.Fatalf("after reopening: %+v, want %+v", got, want)
	}
}

func testCheckpointsRejectBadInput(t *testing.T, b Backend) {
	st := open(t, b)
	tests := []struct {
		name string
		edit func(*store.Checkpoint)
	}{
		{"unknown kind", func(c *store.Checkpoint) { c.Kind = "tail" }},
		{"short hash", func(c *store.Checkpoint) { c.Hash = c.Hash[:8] }},
		{"no anchor hash", func(c *store.Checkpoint) { c.Anchor.Hash = nil }},
		{"negative seq", func(c *store.Checkpoint) { c.Seq = -1 }},
		{"zero time", func(c *store.Checkpoint) { c.Time = time.Time{} }},
		{"unsigned", func(c *store.Checkpoint) { c.Signature = nil }},
	}
	for _, tc := range tests {
		c := checkpoint(store.CheckpointHead, 1, 1)
		tc.edit(&c)
		if err := st.AppendCheckpoint(ctx(t), c); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tc.name, err)
		}
	}
	if got := listCheckpoints(t, st, store.CheckpointFilter{}); len(got) != 0 {
		t.Fatalf("rejected checkpoints were kept: %v", signatures(got))
	}
}

func testAuditPruneRemovesCheckpointsBelowAnchor(t *testing.T, b Backend) {
	st := open(t, b)
	recs := appendN(t, st, 0, 10)
	for _, seq := range []int64{3, 5, 10} {
		c := checkpoint(store.CheckpointHead, seq, byte(seq))
		c.Hash = recs[seq-1].Hash
		appendCheckpoints(t, st, c)
	}
	// Records 0..4 are older than base+5s: the anchor becomes record 5.
	res, err := st.PruneAudit(ctx(t), base.Add(5*time.Second))
	if err != nil || res.Anchor.Seq != 5 {
		t.Fatalf("prune: %+v, %v; want the anchor at 5", res, err)
	}
	got := signatures(listCheckpoints(t, st, store.CheckpointFilter{}))
	if want := []string{"sig-5-5", "sig-10-10"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("checkpoints after prune: %v, want %v (those at and after the anchor)", got, want)
	}
}
