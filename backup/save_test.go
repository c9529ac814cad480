package backup

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/logtest"
	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
)

func TestBackupRecordsDigestsStatusAndWhatARestoreMustShow(t *testing.T) {
	ctx := ctxFor(t)
	loc := newDir(t)
	e, cli := sharedEngine(t, loc, nil)
	fill(t, cli, clusterName(t), 200, 100)
	rec, err := e.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	path := loc.Path(rec.Name)
	sum, err := snapshotfile.SHA256Of(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	st, _ := snapshotfile.StatusOf(path)
	switch {
	case !strings.HasPrefix(rec.Name, clusterName(t)+"-") || !strings.HasSuffix(rec.Name, ".db"):
		t.Fatalf("name %q", rec.Name)
	case rec.SHA256 != sum || rec.StoredSHA256 != sum || rec.Size != fi.Size() || rec.SnapshotSize != fi.Size():
		t.Fatalf("digests %+v, file %s %d", rec, sum, fi.Size())
	case rec.Status != *st || rec.Restore.Revision != st.Revision:
		t.Fatalf("status %+v, restore %+v, file %+v", rec.Status, rec.Restore, st)
	case !rec.Verification.OK || !rec.Verification.Checksum:
		t.Fatalf("verification %+v", rec.Verification)
	case rec.Member == "" || len(rec.Attempts) != 0 || rec.Encrypted:
		t.Fatalf("record %+v", rec)
	}
	// What the live member says at that revision.
	hk, err := cli.HashKV(ctx, cli.Endpoints()[0], rec.Restore.Revision)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := cli.Get(ctx, "\x00", clientv3.WithFromKey(), clientv3.WithRev(rec.Restore.Revision), clientv3.WithCountOnly())
	if rec.Restore.HashKV != hk.Hash || rec.Restore.KeyCount != n.Count || n.Count < 200 {
		t.Fatalf("restore target %+v, member hash %d count %d", rec.Restore, hk.Hash, n.Count)
	}
	if _, err := json.Marshal(rec); err != nil {
		t.Fatal(err)
	}
}

func TestBackupRetriesOnAnotherMemberWhenTheSourceDiesMidStream(t *testing.T) {
	ctx := ctxFor(t)
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	cli := c.Client(t)
	fill(t, cli, "big", 1500, 2048) // about 3 MiB of snapshot, so the stream is cut mid-way
	leader := c.Leader(t)
	loc := newDir(t)
	e, err := New(Config{Cluster: "prod", Conn: connect(t, "prod", c.Endpoints()), Location: loc, ScratchDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stopped := ""
	e.SetStreamHook(func(member string, r io.Reader) io.Reader {
		first := false
		once.Do(func() { first = true; stopped = member })
		if !first {
			return r
		}
		return &stopAfter{r: r, n: 256 << 10, stop: func() {
			for _, m := range c.Members {
				if m.Name == member {
					go m.Stop(t)
				}
			}
		}}
	})
	rec, err := e.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("attempts %+v; saved from %s, %d bytes", rec.Attempts, rec.Member, rec.SnapshotSize)
	if stopped == c.Members[leader].Name {
		t.Fatalf("the first member tried was the leader %s; a follower is preferred", stopped)
	}
	if len(rec.Attempts) != 1 || rec.Attempts[0].Member != stopped || !strings.Contains(rec.Attempts[0].Error, "broke off") || rec.Member == stopped {
		t.Fatalf("attempts %+v, member %s, stopped %s", rec.Attempts, rec.Member, stopped)
	}
	if !rec.Verification.OK {
		t.Fatalf("verification %+v", rec.Verification)
	}
	entries, _ := os.ReadDir(strings.TrimPrefix(loc.String(), "dir "))
	if len(entries) != 1 || entries[0].Name() != rec.Name {
		t.Fatalf("the location holds %v, want only %s", entries, rec.Name)
	}
}

// stopAfter calls stop once n bytes went through, then keeps reading.
type stopAfter struct {
	r    io.Reader
	n    int
	stop func()
	done bool
}

func (s *stopAfter) Read(p []byte) (int, error) {
	k, err := s.r.Read(p)
	s.n -= k
	if s.n <= 0 && !s.done {
		s.done = true
		s.stop()
	}
	return k, err
}

func TestBackupFailsAtOnceNamingAMissingLocation(t *testing.T) {
	missing := t.TempDir() + "/not-mounted"
	loc, _ := location.NewDir(missing)
	e, _ := sharedEngine(t, loc, nil)
	rec, err := e.Backup(ctxFor(t))
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("backup into a missing directory: %v", err)
	}
	if len(rec.Attempts) != 1 {
		t.Fatalf("a location failure was retried on other members: %+v", rec.Attempts)
	}
}

func TestBackupEncryptsWithAgeAndVerifiesTheDecryptedCopy(t *testing.T) {
	ctx := ctxFor(t)
	keyFile, recipient, secret := ageKey(t)
	loc := newDir(t)
	logs := &logtest.Buffer{}
	e, cli := sharedEngine(t, loc, func(c *Config) {
		c.Encryption = &Encryption{Recipients: []string{recipient}, IdentityFile: keyFile}
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	if _, err := cli.Put(ctx, clusterName(t)+"/secret", "hunter2-plaintext-marker"); err != nil {
		t.Fatal(err)
	}
	rec, err := e.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(loc.Path(rec.Name))
	switch {
	case !strings.HasSuffix(rec.Name, ".db.age") || !rec.Encrypted:
		t.Fatalf("record %+v", rec)
	case !bytes.HasPrefix(raw, ageMagic) || bytes.Contains(raw, []byte("hunter2-plaintext-marker")):
		t.Fatal("the stored backup is not age-encrypted")
	case rec.SHA256 == rec.StoredSHA256 || rec.Status.Revision == 0 || !rec.Verification.OK:
		t.Fatalf("record %+v", rec)
	}
	if _, err := e.Verify(ctx, rec.Name, &rec); err != nil {
		t.Fatal(err)
	}
	noScratchLeft(t, e)
	js, _ := json.Marshal(rec)
	if bytes.Contains(js, []byte(secret)) || bytes.Contains(js, []byte("AGE-SECRET-KEY")) {
		t.Fatal("the record shows the key")
	}
	// Without the key the backup cannot be verified, and the error says so without a key in it.
	plainEngine, _ := sharedEngine(t, loc, nil)
	_, err = plainEngine.Verify(ctx, rec.Name, &rec)
	if err == nil || !strings.Contains(err.Error(), rec.Name) || !strings.Contains(err.Error(), "identity_file") {
		t.Fatalf("verify without the key: %v", err)
	}
	// A failing attempt is logged; the key is not.
	e.SetStreamHook(func(_ string, r io.Reader) io.Reader { return &brokenAfter{r: r, n: 1000} })
	if _, err := e.Backup(ctx); err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("backup of a broken stream: %v", err)
	}
	if !strings.Contains(logs.String(), "backup attempt failed") || strings.Contains(logs.String(), secret) || strings.Contains(logs.String(), "AGE-SECRET-KEY") {
		t.Fatalf("logs:\n%s", logs.String())
	}
	if entries, _ := os.ReadDir(filepath.Dir(loc.Path("x"))); len(entries) != 1 {
		t.Fatalf("the location holds %v after a broken backup", entries)
	}
}

// brokenAfter passes n bytes, then fails as a member that died.
type brokenAfter struct {
	r io.Reader
	n int
}

func (b *brokenAfter) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errors.New("member died")
	}
	k, err := b.r.Read(p[:min(len(p), b.n)])
	b.n -= k
	return k, err
}

func TestNewRejectsBadEncryptionNamingTheField(t *testing.T) {
	keyFile, recipient, secret := ageKey(t)
	loc := newDir(t)
	inside := loc.Path("backup.key")
	os.WriteFile(inside, []byte(secret+"\n"), 0o600)
	garbage := t.TempDir() + "/garbage.key"
	os.WriteFile(garbage, []byte("AGE-SECRET-KEY-1NOTAKEY-"+secret[20:]+"\n"), 0o600)
	for _, tc := range []struct {
		name string
		enc  Encryption
		want string
	}{
		{"no recipients", Encryption{IdentityFile: keyFile}, "encryption: recipients: must not be empty"},
		{"bad recipient", Encryption{Recipients: []string{"age1nope"}, IdentityFile: keyFile}, "encryption: recipients[0]:"},
		{"no identity file", Encryption{Recipients: []string{recipient}}, "encryption: identity_file: must be set"},
		{"identity inside the location", Encryption{Recipients: []string{recipient}, IdentityFile: inside}, "inside the backup location"},
		{"identity file missing", Encryption{Recipients: []string{recipient}, IdentityFile: keyFile + ".nope"}, "encryption: identity_file: open"},
		{"identity file not a key", Encryption{Recipients: []string{recipient}, IdentityFile: garbage}, "not an age identity file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{Cluster: "c", Location: loc, Encryption: &tc.enc})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret[15:]) {
				t.Fatalf("the error shows the key: %v", err)
			}
		})
	}
}
