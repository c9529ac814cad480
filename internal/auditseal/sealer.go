package auditseal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// SealedStore is what a Sealer and Verify need of the store.
type SealedStore interface {
	store.AuditLog
	store.CheckpointStore
}

// Sealer is a store.AuditLog that signs a checkpoint after every committed
// batch and every retention anchor move, and writes it to its witnesses
// and to the store. Give it to store.NewAuditWriter and to the retention
// loop in place of the store.
type Sealer struct {
	st        SealedStore
	signer    *Signer
	witnesses []Witness
	now       func() time.Time

	mu sync.Mutex
	// anchor is the newest retention anchor this Sealer signed or found
	// signed in the store; head checkpoints carry it.
	anchor      store.ChainPoint
	anchorKnown bool
}

var _ store.AuditLog = (*Sealer)(nil)

// NewSealer seals the audit log of st with signer, publishing checkpoints
// to witnesses (which the caller closes).
func NewSealer(st SealedStore, signer *Signer, witnesses ...Witness) *Sealer {
	return &Sealer{st: st, signer: signer, witnesses: witnesses, now: time.Now}
}

// AppendAudit implements store.AuditLog: it appends recs, then signs a head
// checkpoint of the last record and publishes it to every witness and the
// store. The error of a batch that was committed but not sealed says so;
// like any AppendAudit error it means "the records may be committed", so a
// caller failing closed refuses the operation, and at most one batch is
// ever committed without a checkpoint at the witnesses.
func (s *Sealer) AppendAudit(ctx context.Context, recs ...store.AuditRecord) ([]store.AuditRecord, error) {
	out, err := s.st.AppendAudit(ctx, recs...)
	if err != nil || len(out) == 0 {
		return out, err
	}
	last := out[len(out)-1]
	if err := s.seal(ctx, store.CheckpointHead, store.ChainPoint{Seq: last.Seq, Hash: last.Hash}); err != nil {
		return nil, fmt.Errorf("audit records committed up to %d but not sealed: %w", last.Seq, err)
	}
	return out, nil
}

// QueryAudit implements store.AuditLog.
func (s *Sealer) QueryAudit(ctx context.Context, f store.AuditFilter) (store.AuditPage, error) {
	return s.st.QueryAudit(ctx, f)
}

// VerifyAudit implements store.AuditLog with the store's chain check only;
// Verify checks the checkpoints too.
func (s *Sealer) VerifyAudit(ctx context.Context) (store.AuditVerification, error) {
	return s.st.VerifyAudit(ctx)
}

// PruneAudit implements store.AuditLog: it signs the anchor the prune will
// set, prunes, and signs the anchor actually set if it differs (records
// appended meanwhile with times before cutoff). The anchor is signed
// before records are removed, so an interruption never leaves a pruned
// log whose anchor no checkpoint vouches for.
func (s *Sealer) PruneAudit(ctx context.Context, cutoff time.Time) (store.PruneResult, error) {
	planned, ok, err := planPrune(ctx, s.st, cutoff)
	if err != nil {
		return store.PruneResult{}, fmt.Errorf("prune audit: %w", err)
	}
	if !ok {
		return store.PruneResult{}, nil
	}
	if err := s.seal(ctx, store.CheckpointAnchor, planned); err != nil {
		return store.PruneResult{}, fmt.Errorf("prune audit: sign anchor %d: %w", planned.Seq, err)
	}
	res, err := s.st.PruneAudit(ctx, cutoff)
	if err != nil {
		return res, err
	}
	s.setAnchor(res.Anchor)
	if res.Removed > 0 && (res.Anchor.Seq != planned.Seq || !bytes.Equal(res.Anchor.Hash, planned.Hash)) {
		if err := s.seal(ctx, store.CheckpointAnchor, res.Anchor); err != nil {
			return res, fmt.Errorf("prune audit: sign anchor %d: %w", res.Anchor.Seq, err)
		}
	}
	return res, nil
}

// planPrune finds the anchor PruneAudit(cutoff) would set: the record
// before the first one, in Seq order, whose Time is not before cutoff.
func planPrune(ctx context.Context, log store.AuditLog, cutoff time.Time) (store.ChainPoint, bool, error) {
	var last store.ChainPoint
	found := false
	f := store.AuditFilter{Limit: store.MaxAuditLimit}
	for {
		page, err := log.QueryAudit(ctx, f)
		if err != nil {
			return store.ChainPoint{}, false, err
		}
		for _, r := range page.Records {
			if !r.Time.Before(cutoff) {
				return last, found, nil
			}
			last, found = store.ChainPoint{Seq: r.Seq, Hash: r.Hash}, true
		}
		if page.Next == 0 {
			return last, found, nil
		}
		f.Cursor = page.Next
	}
}

// seal signs a checkpoint of p and publishes it to the witnesses, then the store.
func (s *Sealer) seal(ctx context.Context, kind store.CheckpointKind, p store.ChainPoint) error {
	anchor, err := s.currentAnchor(ctx)
	if err != nil {
		return err
	}
	if kind == store.CheckpointAnchor {
		anchor = p
	}
	c := s.signer.Sign(store.Checkpoint{Kind: kind, Seq: p.Seq, Hash: p.Hash, Time: s.now(), Anchor: anchor})
	var errs []error
	for _, w := range s.witnesses {
		errs = append(errs, w.Publish(ctx, c))
	}
	errs = append(errs, s.st.AppendCheckpoint(ctx, c))
	return errors.Join(errs...)
}

// setAnchor makes p the anchor head checkpoints carry, once the store has it.
func (s *Sealer) setAnchor(p store.ChainPoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.anchorKnown && p.Seq >= s.anchor.Seq {
		s.anchor = p
	}
}

// currentAnchor returns the newest anchor known: on first use, the newest
// anchor checkpoint in the store that this signer's key signed.
func (s *Sealer) currentAnchor(ctx context.Context) (store.ChainPoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.anchorKnown {
		return s.anchor, nil
	}
	s.anchor = store.ChainPoint{Hash: store.GenesisHash}
	cps, err := s.st.Checkpoints(ctx, store.CheckpointFilter{Kind: store.CheckpointAnchor})
	if err != nil {
		return store.ChainPoint{}, fmt.Errorf("read anchor checkpoints: %w", err)
	}
	pub := s.signer.Public()
	for i := range cps {
		if CheckSignature(pub, &cps[i]) == nil && cps[i].Seq >= s.anchor.Seq {
			s.anchor = store.ChainPoint{Seq: cps[i].Seq, Hash: cps[i].Hash}
		}
	}
	s.anchorKnown = true
	return s.anchor, nil
}
