package auditseal_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/auditseal"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	os.Exit(m.Run())
}

var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func record(i int) store.AuditRecord {
	return store.AuditRecord{Time: base.Add(time.Duration(i) * time.Second), RequestID: fmt.Sprint("req-", i),
		User: "alice", Cluster: "prod", Operation: "put", Key: []byte(fmt.Sprint("/k/", i)), Outcome: store.OutcomeSucceeded}
}

// sealedLog is a log written through a Sealer: batches of three records,
// each sealed, with a file witness.
type sealedLog struct {
	b       backend
	keyFile string
	pub     ed25519.PublicKey
	witness string
}

const batches, batchSize = 4, 3 // records 1 to 12; checkpoints at 3, 6, 9 and 12

func newSealedLog(t *testing.T, b backend) *sealedLog {
	t.Helper()
	dir := t.TempDir()
	l := &sealedLog{b: b, keyFile: filepath.Join(dir, "audit.key"), witness: filepath.Join(dir, "witness.jsonl")}
	pub, err := auditseal.GenerateKey(l.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	l.pub = pub
	l.withSealer(t, func(s *auditseal.Sealer) {
		for i := range batches {
			recs := make([]store.AuditRecord, batchSize)
			for j := range recs {
				recs[j] = record(i*batchSize + j)
			}
			if _, err := s.AppendAudit(context.Background(), recs...); err != nil {
				t.Fatalf("append batch %d: %v", i, err)
			}
		}
	})
	return l
}

// withSealer runs fn with a Sealer over the store, closed afterwards.
func (l *sealedLog) withSealer(t *testing.T, fn func(*auditseal.Sealer)) {
	t.Helper()
	signer, err := auditseal.LoadSigner(l.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	w, err := auditseal.OpenFileWitness(l.witness)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	st := l.b.open(t)
	defer st.Close()
	fn(auditseal.NewSealer(st, signer, w))
}

func (l *sealedLog) verify(t *testing.T) auditseal.Report {
	t.Helper()
	st := l.b.open(t)
	defer st.Close()
	r, err := auditseal.Verify(context.Background(), st, l.pub, auditseal.FileWitnessReader(l.witness))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return r
}

// wantProblem checks that the report's first problem is at seq and says want.
func wantProblem(t *testing.T, r auditseal.Report, seq int64, want string) {
	t.Helper()
	if r.OK() || len(r.Problems) == 0 {
		t.Fatalf("verification passed (%+v), want a problem at record %d", r, seq)
	}
	var out strings.Builder
	auditseal.WriteReport(&out, r)
	if p := r.Problems[0]; p.Seq != seq || !strings.Contains(p.Reason, want) {
		t.Fatalf("first problem %q, want one at record %d saying %q; report:\n%s", p, seq, want, out.String())
	}
	t.Logf("report:\n%s", out.String())
}

func TestVerifyAcceptsSealedLog(t *testing.T) {
	for name, newBackend := range backends {
		t.Run(name, func(t *testing.T) {
			l := newSealedLog(t, newBackend(t))
			r := l.verify(t)
			if !r.OK() || r.Sealed != 12 || r.Checkpoints != 4 || len(r.Witnesses) != 1 || r.Witnesses[0].Newest != 12 {
				t.Fatalf("report %+v, want intact, sealed to 12 with 4 checkpoints and the witness at 12", r)
			}
		})
	}
}

func TestVerifyDetectsAttacksOfADatabaseWriter(t *testing.T) {
	tests := []struct {
		name   string
		attack func(t *testing.T, b backend)
		seq    int64
		want   string
	}{
		{"record edited and every hash and the head recomputed", func(t *testing.T, b backend) {
			b.rewrite(t, 5, func(r *store.AuditRecord) { r.User = "mallory" })
		}, 6, "differs from the signed checkpoint"},
		{"history rewritten and the store's checkpoints deleted", func(t *testing.T, b backend) {
			b.rewrite(t, 8, func(r *store.AuditRecord) { r.Operation = "range" })
			b.deleteCheckpoints(t, 0)
		}, 9, "differs from the signed checkpoint"},
		{"newest records deleted and the head fixed", func(t *testing.T, b backend) {
			b.truncate(t, 10)
			b.deleteCheckpoints(t, 11)
		}, 12, "the log ends at 10"},
		{"oldest records deleted and the anchor moved", func(t *testing.T, b backend) {
			b.moveAnchor(t, 4)
		}, 4, "not one a signed anchor checkpoint set"},
	}
	for name, newBackend := range backends {
		for _, tc := range tests {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				b := newBackend(t)
				l := newSealedLog(t, b)
				tc.attack(t, b)
				st := b.open(t)
				chain, err := st.VerifyAudit(context.Background())
				st.Close()
				if err != nil || !chain.OK() {
					t.Fatalf("the attack left the chain broken (%+v, %v): it should pass the unsigned check", chain, err)
				}
				wantProblem(t, l.verify(t), tc.seq, tc.want)
			})
		}
	}
}

func TestVerifyRejectsCheckpointSignedWithAnotherKey(t *testing.T) {
	for name, newBackend := range backends {
		t.Run(name, func(t *testing.T) {
			b := newBackend(t)
			l := newSealedLog(t, b)
			// The attacker rewrites history and replaces the store's checkpoints
			// with one signed by a key of their own.
			b.rewrite(t, 5, func(r *store.AuditRecord) { r.User = "mallory" })
			b.deleteCheckpoints(t, 0)
			forger := filepath.Join(t.TempDir(), "forger.key")
			if _, err := auditseal.GenerateKey(forger); err != nil {
				t.Fatal(err)
			}
			signer, err := auditseal.LoadSigner(forger)
			if err != nil {
				t.Fatal(err)
			}
			recs := allRecords(t, b)
			head := recs[len(recs)-1]
			st := b.open(t)
			forged := signer.Sign(store.Checkpoint{Kind: store.CheckpointHead, Seq: head.Seq, Hash: head.Hash, Time: base,
				Anchor: store.ChainPoint{Hash: store.GenesisHash}})
			if err := st.AppendCheckpoint(context.Background(), forged); err != nil {
				t.Fatal(err)
			}
			r, err := auditseal.Verify(context.Background(), st, l.pub) // the store alone
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			wantProblem(t, r, 12, "signature does not verify")
			if r.Sealed != 0 {
				t.Fatalf("a forged checkpoint counted as sealing up to %d", r.Sealed)
			}
		})
	}
}

func TestVerifyAcceptsPruneThroughSealer(t *testing.T) {
	for name, newBackend := range backends {
		t.Run(name, func(t *testing.T) {
			l := newSealedLog(t, newBackend(t))
			l.withSealer(t, func(s *auditseal.Sealer) {
				res, err := s.PruneAudit(context.Background(), base.Add(4*time.Second+time.Millisecond))
				if err != nil || res.Anchor.Seq != 5 {
					t.Fatalf("prune: %+v, %v; want the anchor at 5", res, err)
				}
				if _, err := s.AppendAudit(context.Background(), record(100)); err != nil {
					t.Fatal(err)
				}
			})
			if r := l.verify(t); !r.OK() || r.Chain.Anchor.Seq != 5 || r.Sealed != 13 {
				t.Fatalf("after prune: %+v, want intact from anchor 5, sealed to 13", r)
			}
		})
	}
}
