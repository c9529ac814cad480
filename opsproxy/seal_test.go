package opsproxy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/auditseal"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// With audit.signing_key_file and a witness file, every committed batch is sealed: the
// witness file and the store get a signed checkpoint, and verification (API and command)
// checks them; a checkpoint signed with another key is reported.
func TestSealedAuditLogSignsEveryBatchAndVerifies(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			dir := t.TempDir()
			keyFile, witness := filepath.Join(dir, "audit.key"), filepath.Join(dir, "witness.jsonl")
			if _, err := auditseal.GenerateKey(keyFile); err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, envOptions{store: kind, configure: func(c *Config) {
				c.Audit.Seal = auditseal.Config{SigningKeyFile: keyFile, Witness: auditseal.WitnessConfig{File: witness}}
			}})
			p := uniquePrefix(t)
			for range 3 {
				r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]any{"key": p + "k", "value": "v"})
				if r.status != 200 {
					t.Fatalf("put: %d %s", r.status, r.body)
				}
				e.audit(t, r.header.Get(RequestIDHeader), 2)
			}
			var out struct {
				OK           bool
				Verification store.AuditVerification
				Seal         *auditseal.Report
			}
			eventually(t, "every committed record sealed", func() bool {
				r := e.call(t, "GET", "/api/v1/audit/verify", e.admin, nil)
				r.json(t, &out)
				return r.status == 200 && out.OK && out.Seal != nil && out.Seal.Sealed == out.Verification.Head.Seq
			})
			if out.Seal.Checkpoints == 0 || len(out.Seal.Witnesses) != 1 || out.Seal.Witnesses[0].Newest == 0 {
				t.Fatalf("seal report: %+v", out.Seal)
			}
			lines, err := os.ReadFile(witness)
			if err != nil || bytes.Count(lines, []byte("\n")) == 0 {
				t.Fatalf("witness file: %v, %q", err, lines)
			}
			var buf bytes.Buffer
			if code := auditseal.VerifyConfigured(context.Background(), e.store, e.cfg.Audit.Seal, &buf); code != 0 {
				t.Fatalf("verify-audit with sealing: %d %s", code, buf.String())
			}

			// A checkpoint under another key is a forgery, whoever wrote it to the store.
			other := filepath.Join(dir, "other.key")
			if _, err := auditseal.GenerateKey(other); err != nil {
				t.Fatal(err)
			}
			forger, err := auditseal.LoadSigner(other)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.store.AppendCheckpoint(context.Background(), forger.Sign(store.Checkpoint{
				Kind: store.CheckpointHead, Seq: out.Verification.Head.Seq, Hash: out.Verification.Head.Hash,
				Anchor: out.Verification.Anchor, Time: time.Now()})); err != nil {
				t.Fatal(err)
			}
			r := e.call(t, "GET", "/api/v1/audit/verify", e.admin, nil)
			r.json(t, &out)
			if r.status != 200 || out.OK || !strings.Contains(string(r.body), "signature") {
				t.Fatalf("forged checkpoint: %d %s", r.status, r.body)
			}
		})
	}
}
