package auditseal

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
)

// runAudit runs `etcd-monitor audit args...` and returns the exit code, stdout and stderr.
func runAudit(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	app := kingpin.New("etcd-monitor", "")
	c := RegisterCommand(app)
	var out, errOut bytes.Buffer
	c.out, c.errOut = &out, &errOut
	chosen, err := app.Parse(append([]string{"audit"}, args...))
	if err != nil || !c.Matches(chosen) {
		t.Fatalf("parse %v: %q, %v", args, chosen, err)
	}
	return c.Run(context.Background(), nil), out.String(), errOut.String()
}

func TestAuditCommandKeygenSealVerifyPrune(t *testing.T) {
	dir := t.TempDir()
	key, db, witness := filepath.Join(dir, "audit.key"), filepath.Join(dir, "store.db"), filepath.Join(dir, "witness.jsonl")
	if code, out, errOut := runAudit(t, "keygen", "--out", key); code != 0 || !strings.Contains(out, "BEGIN PUBLIC KEY") {
		t.Fatalf("keygen: %d %s %s", code, out, errOut)
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}

	// What opsproxy does: records appended through a Sealer.
	signer, err := LoadSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	w, err := OpenFileWitness(witness)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	st, err := bolt.Open(db, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	for i := range 4 {
		rec := store.AuditRecord{Time: old.Add(time.Duration(i) * time.Hour), Operation: "put", Outcome: store.OutcomeSucceeded,
			RequestID: fmt.Sprint(i)}
		if i == 3 {
			rec.Time = time.Time{} // now
		}
		if _, err := NewSealer(st, signer, w).AppendAudit(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
	}

	verify := []string{"verify", "--store.path", db, "--public-key", key + ".pub", "--witness.file", witness, "--store.lock-timeout", "50ms"}
	if code, _, errOut := runAudit(t, verify...); code != 1 || !strings.Contains(errOut, "GET /api/v1/audit/verify") {
		t.Fatalf("verify while the store is open elsewhere: %d %s, want 1 and a pointer to the API", code, errOut)
	}
	st.Close()
	if code, out, errOut := runAudit(t, verify...); code != 0 || !strings.Contains(out, "audit log intact") {
		t.Fatalf("verify: %d %s %s", code, out, errOut)
	}
	prune := []string{"prune", "--store.path", db, "--keep", "24h", "--signing-key", key, "--witness.file", witness}
	if code, out, errOut := runAudit(t, prune...); code != 0 || !strings.Contains(out, "removed 3 audit records; the retention anchor is record 3") {
		t.Fatalf("prune: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := runAudit(t, verify...); code != 0 || !strings.Contains(out, "from seq 3 to 4") {
		t.Fatalf("verify after prune: %d %s %s", code, out, errOut)
	}
}
