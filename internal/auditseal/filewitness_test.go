package auditseal_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/auditseal"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// sealedWitness returns a witness file with checkpoints of a sealed log of
// bolt, and the log.
func sealedWitness(t *testing.T) (*sealedLog, []byte) {
	t.Helper()
	l := newSealedLog(t, newBoltBackend(t))
	data, err := os.ReadFile(l.witness)
	if err != nil {
		t.Fatal(err)
	}
	return l, data
}

func TestVerifyToleratesOnlyAnIncompleteLastWitnessLine(t *testing.T) {
	tests := []struct {
		name string
		edit func(lines []string) string
		ok   bool
		want string
	}{
		{"last line cut mid-write", func(l []string) string {
			return strings.Join(l[:4], "\n") + "\n" + l[3][:len(l[3])/2]
		}, true, ""},
		{"a line in the middle cut", func(l []string) string {
			return l[0] + "\n" + l[1][:len(l[1])/2] + "\n" + l[2] + "\n" + l[3] + "\n"
		}, false, "line 2: not a checkpoint"},
		{"last line complete but not a checkpoint", func(l []string) string {
			return strings.Join(l[:4], "\n") + "\n{\"kind\":\n"
		}, false, "line 5: not a checkpoint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, data := sealedWitness(t)
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			if len(lines) != 4 {
				t.Fatalf("witness has %d lines, want 4", len(lines))
			}
			if err := os.WriteFile(l.witness, []byte(tc.edit(lines)), 0o600); err != nil {
				t.Fatal(err)
			}
			r := l.verify(t)
			if tc.ok {
				if !r.OK() || !r.Witnesses[0].IncompleteTail {
					t.Fatalf("report %+v, want intact with the incomplete last line noted", r)
				}
				return
			}
			if r.OK() || !strings.Contains(r.Problems[0].Reason, tc.want) {
				t.Fatalf("report %+v, want a problem saying %q", r, tc.want)
			}
		})
	}
}

func TestOpenFileWitnessDropsIncompleteLastLine(t *testing.T) {
	l, data := sealedWitness(t)
	cut := data[:len(data)-20]
	if err := os.WriteFile(l.witness, cut, 0o600); err != nil {
		t.Fatal(err)
	}
	// Sealing more after the crash starts on a line of its own.
	l.withSealer(t, func(s *auditseal.Sealer) {
		if _, err := s.AppendAudit(context.Background(), record(50)); err != nil {
			t.Fatal(err)
		}
	})
	r := l.verify(t)
	if !r.OK() || r.Witnesses[0].IncompleteTail || r.Witnesses[0].Checkpoints != 4 || r.Witnesses[0].Newest != 13 {
		t.Fatalf("report %+v, want intact, 4 whole checkpoints in the witness, the newest for 13", r)
	}
}

func TestFileWitnessCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.jsonl")
	w, err := auditseal.OpenFileWitness(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Publish(context.Background(), store.Checkpoint{Kind: store.CheckpointHead, Seq: 1}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("witness file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
}
