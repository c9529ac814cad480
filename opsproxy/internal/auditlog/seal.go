package auditlog

import (
	"context"
	"crypto/ed25519"
	"errors"

	"github.com/etcd-monitor/etcd-monitor/internal/auditseal"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Log is the audit log opsproxy writes to and prunes: the store itself or, with audit sealing
// configured, the store behind an auditseal.Sealer, which signs a checkpoint of the chain head
// after every committed batch (and every anchor move) and publishes it to the witnesses.
type Log struct {
	store.AuditLog
	st        auditseal.SealedStore
	public    ed25519.PublicKey
	witnesses []auditseal.Witness
	readers   []auditseal.WitnessReader
}

// Open returns the audit log of st as cfg configures it; Close closes its witnesses.
func Open(st auditseal.SealedStore, cfg auditseal.Config) (*Log, error) {
	l := &Log{AuditLog: st, st: st}
	if !cfg.Enabled() {
		return l, nil
	}
	signer, err := auditseal.LoadSigner(cfg.SigningKeyFile)
	if err != nil {
		return nil, err
	}
	ws, err := cfg.Witness.OpenWitnesses()
	if err != nil {
		return nil, err
	}
	l.AuditLog, l.public, l.witnesses = auditseal.NewSealer(st, signer, ws...), signer.Public(), ws
	for _, w := range ws {
		if fw, ok := w.(*auditseal.FileWitness); ok {
			// Read the file as verify would, not through the writer's handle.
			l.readers = append(l.readers, auditseal.FileWitnessReader(fw.Path()))
			continue
		}
		l.readers = append(l.readers, w)
	}
	return l, nil
}

// Sealed reports whether checkpoints are signed.
func (l *Log) Sealed() bool { return l.public != nil }

// Verification is the answer of a verification: the chain's, and the checkpoints' when the
// log is sealed.
type Verification struct {
	OK           bool                    `json:"ok"`
	Verification store.AuditVerification `json:"verification"`
	Seal         *auditseal.Report       `json:"seal,omitempty"`
}

// Verify checks the chain and, when the log is sealed, every signed checkpoint in the store
// and at the witnesses (see auditseal.Verify): rewritten history and a cut tail both fail.
func (l *Log) Verify(ctx context.Context) (Verification, error) {
	if !l.Sealed() {
		v, err := l.st.VerifyAudit(ctx)
		return Verification{OK: v.OK(), Verification: v}, err
	}
	r, err := auditseal.Verify(ctx, l.st, l.public, l.readers...)
	if err != nil {
		return Verification{}, err
	}
	return Verification{OK: r.OK(), Verification: r.Chain, Seal: &r}, nil
}

// Close closes the witnesses.
func (l *Log) Close() error {
	var errs []error
	for _, w := range l.witnesses {
		errs = append(errs, w.Close())
	}
	return errors.Join(errs...)
}
