package auditseal

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"slices"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Report is the outcome of Verify.
type Report struct {
	// Chain is the store's own check of records, links, head and anchor.
	Chain store.AuditVerification `json:"chain"`
	// Checkpoints is how many checkpoints the store holds from the anchor on.
	Checkpoints int `json:"checkpoints"`
	// Witnesses says what each witness held.
	Witnesses []WitnessReport `json:"witnesses"`
	// Sealed is the newest record a valid signed checkpoint vouches for;
	// records after it (normally at most one batch) are not yet sealed.
	Sealed int64 `json:"sealed"`
	// Problems are every signed statement the log contradicts; empty when
	// the log is intact.
	Problems []Problem `json:"problems,omitempty"`
}

// WitnessReport is what one witness held.
type WitnessReport struct {
	Name        string `json:"name"`
	Checkpoints int    `json:"checkpoints"`
	// Newest is the highest Seq among its validly signed checkpoints.
	Newest int64 `json:"newest"`
	// IncompleteTail: its last entry was cut mid-write and was ignored.
	IncompleteTail bool `json:"incomplete_tail,omitempty"`
}

// Problem is one finding, at a record's Seq, from a source ("store",
// "chain", or a witness's name).
type Problem struct {
	Seq    int64  `json:"seq"`
	Source string `json:"source"`
	Reason string `json:"reason"`
}

func (p Problem) String() string { return fmt.Sprintf("record %d (%s): %s", p.Seq, p.Source, p.Reason) }

// OK reports whether the log is intact.
func (r Report) OK() bool { return r.Chain.OK() && len(r.Problems) == 0 }

// maxProblems bounds the problems a report lists.
const maxProblems = 100

// Verify checks the audit log of st: the chain (store.AuditLog.VerifyAudit),
// then every checkpoint in the store and at the witnesses: its signature
// with pub; that the record it names has the hash it signed (or the anchor
// has, or the record was pruned); that no checkpoint lies beyond the
// store's head (a cut tail); and that the store's retention anchor, when
// records were pruned, is one a signed anchor checkpoint set.
func Verify(ctx context.Context, st SealedStore, pub ed25519.PublicKey, witnesses ...WitnessReader) (Report, error) {
	chain, err := st.VerifyAudit(ctx)
	if err != nil {
		return Report{}, err
	}
	v := &verification{
		report: Report{Chain: chain},
		pub:    pub,
		anchor: chain.Anchor,
		head:   chain.Head,
		want:   map[int64]signedHash{},
	}
	if !chain.OK() {
		v.problem(chain.Break.Seq, "chain", chain.Break.Reason)
	}
	cps, err := st.Checkpoints(ctx, store.CheckpointFilter{FromSeq: chain.Anchor.Seq})
	if err != nil {
		return Report{}, fmt.Errorf("verify audit: %w", err)
	}
	v.report.Checkpoints = len(cps)
	for i := range cps {
		v.check(&cps[i], "store")
	}
	for _, w := range witnesses {
		read, err := w.Read(ctx)
		if err != nil {
			return Report{}, fmt.Errorf("verify audit: %w", err)
		}
		wr := WitnessReport{Name: w.Name(), Checkpoints: len(read.Checkpoints), IncompleteTail: read.IncompleteTail}
		for _, d := range read.Damaged {
			v.problem(0, w.Name(), d)
		}
		for i := range read.Checkpoints {
			if v.check(&read.Checkpoints[i], w.Name()) {
				wr.Newest = max(wr.Newest, read.Checkpoints[i].Seq)
			}
		}
		v.report.Witnesses = append(v.report.Witnesses, wr)
	}
	if v.anchor.Seq > 0 && !v.anchorSigned {
		v.problem(v.anchor.Seq, "store", "the retention anchor is not one a signed anchor checkpoint set: "+
			"records before it were removed, or the anchor moved, outside retention")
	}
	if err := v.compareRecords(ctx, st); err != nil {
		return Report{}, fmt.Errorf("verify audit: %w", err)
	}
	slices.SortStableFunc(v.report.Problems, func(a, b Problem) int { return int(min(max(a.Seq-b.Seq, -1), 1)) })
	return v.report, nil
}

// signedHash is the hash a record must have, and who said so.
type signedHash struct {
	hash   []byte
	source string
}

type verification struct {
	report       Report
	pub          ed25519.PublicKey
	anchor, head store.ChainPoint
	anchorSigned bool
	// want holds the hashes signed for records after the anchor.
	want map[int64]signedHash
}

func (v *verification) problem(seq int64, source, reason string) {
	if len(v.report.Problems) < maxProblems {
		v.report.Problems = append(v.report.Problems, Problem{Seq: seq, Source: source, Reason: reason})
	}
}

// check checks one checkpoint against the signature and what the store
// says without reading records, and notes the hash it signed for
// compareRecords. It reports whether the signature is valid.
func (v *verification) check(c *store.Checkpoint, source string) bool {
	if err := CheckSignature(v.pub, c); err != nil {
		v.problem(c.Seq, source, "checkpoint "+err.Error())
		return false
	}
	v.report.Sealed = max(v.report.Sealed, min(c.Seq, v.head.Seq))
	if c.Kind == store.CheckpointAnchor && (c.Anchor.Seq != c.Seq || !bytes.Equal(c.Anchor.Hash, c.Hash)) {
		v.problem(c.Seq, source, "anchor checkpoint names another point as the anchor")
		return true
	}
	switch {
	case c.Seq > v.head.Seq:
		v.problem(c.Seq, source, fmt.Sprintf("a signed checkpoint vouches for record %d but the log ends at %d: "+
			"the records after %d were removed", c.Seq, v.head.Seq, v.head.Seq))
	case c.Seq < v.anchor.Seq:
		// Pruned: nothing left to compare it with.
	case c.Seq == v.anchor.Seq:
		if !bytes.Equal(c.Hash, v.anchor.Hash) {
			v.problem(c.Seq, source, "differs from the signed checkpoint: the retention anchor was altered")
		} else if c.Kind == store.CheckpointAnchor {
			v.anchorSigned = true
		}
	default:
		if prev, ok := v.want[c.Seq]; ok && !bytes.Equal(prev.hash, c.Hash) {
			v.problem(c.Seq, source, "two validly signed checkpoints disagree ("+prev.source+" has another hash): the signing key is in other hands")
			return true
		}
		v.want[c.Seq] = signedHash{hash: c.Hash, source: source}
	}
	return true
}

// compareRecords reads the records from the anchor to the head and
// compares each signed one with its checkpoint.
func (v *verification) compareRecords(ctx context.Context, log store.AuditLog) error {
	if len(v.want) == 0 {
		return nil
	}
	f := store.AuditFilter{Limit: store.MaxAuditLimit, Cursor: v.anchor.Seq}
	for {
		page, err := log.QueryAudit(ctx, f)
		if err != nil {
			return err
		}
		for _, r := range page.Records {
			if r.Seq > v.head.Seq {
				break
			}
			if w, ok := v.want[r.Seq]; ok {
				if !bytes.Equal(w.hash, r.Hash) {
					v.problem(r.Seq, w.source, "differs from the signed checkpoint: the record or one before it was rewritten")
				}
				delete(v.want, r.Seq)
			}
		}
		if page.Next == 0 || page.Next >= v.head.Seq {
			break
		}
		f.Cursor = page.Next
	}
	for seq, w := range v.want {
		v.problem(seq, w.source, "a signed checkpoint vouches for this record but it is missing")
	}
	return nil
}

// WriteReport writes r for people and returns the exit code of a verify
// command: 0 intact, 1 not.
func WriteReport(w io.Writer, r Report) int {
	for _, wr := range r.Witnesses {
		fmt.Fprintf(w, "witness %s: %d checkpoints, newest for record %d", wr.Name, wr.Checkpoints, wr.Newest)
		if wr.IncompleteTail {
			fmt.Fprint(w, " (last line incomplete, ignored: a write cut by a crash)")
		}
		fmt.Fprintln(w)
	}
	if !r.OK() {
		fmt.Fprintf(w, "audit log BROKEN: %d problem(s) (checked %d records from seq %d to %d, %d checkpoints in the store)\n",
			len(r.Problems), r.Chain.Checked, r.Chain.Anchor.Seq, r.Chain.Head.Seq, r.Checkpoints)
		for _, p := range r.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
		return 1
	}
	fmt.Fprintf(w, "audit log intact: %d records checked, from seq %d to %d; sealed by signed checkpoints up to %d (%d in the store)\n",
		r.Chain.Checked, r.Chain.Anchor.Seq, r.Chain.Head.Seq, r.Sealed, r.Checkpoints)
	return 0
}
