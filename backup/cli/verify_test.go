package cli

import (
	"strings"
	"testing"
)

func TestVerifyPassesAGoodBackupAndFailsAByteFlippedOne(t *testing.T) {
	for _, encrypted := range []bool{false, true} {
		name := "plain"
		if encrypted {
			name = "encrypted"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, encrypted)
			f.fill(t, 50)
			rec := f.backup(t)
			r := run(t, "verify", "--config.file", f.config, "--location", "local", rec.Name)
			if r.code != 0 {
				t.Fatal(r)
			}
			for _, want := range []string{rec.Name + ": OK", "sha256 " + rec.SHA256, "sha256 " + rec.StoredSHA256, "etcd's integrity hash: matched"} {
				if !strings.Contains(r.stdout, want) {
					t.Fatalf("want %q in\n%s", want, r)
				}
			}
			if encrypted != strings.Contains(r.stdout, "(encrypted)") {
				t.Fatalf("encrypted %v:\n%s", encrypted, r)
			}
			noSecret(t, r, f.identity)

			f.flip(t, rec.Name)
			r = run(t, "verify", "--config.file", f.config, "--location", "local", rec.Name)
			if r.code != 1 || !strings.Contains(r.stdout, rec.Name+": FAILED") || !strings.Contains(r.stderr, "verify backup "+rec.Name+" in dir "+f.dir) {
				t.Fatalf("a byte-flipped backup: want exit 1 naming the file:\n%s", r)
			}
			noSecret(t, r, f.identity)
		})
	}
}

func TestVerifyOfAMissingBackupFailsNamingIt(t *testing.T) {
	f := newFixture(t, false)
	r := run(t, "verify", "--config.file", f.config, "--location", "local", "prod-nothing.db")
	if r.code != 1 || !strings.Contains(r.stderr, "prod-nothing.db") {
		t.Fatal(r)
	}
}

func TestAPathForANameIsABadArgument(t *testing.T) {
	f := newFixture(t, false)
	for _, args := range [][]string{
		{"verify", "../../etc/passwd"},
		{"download", ".part-123", "--out", t.TempDir() + "/x.db"},
		{"recover", "a/b.db", "--token", "t", "--member", "name=a,peer-urls=http://10.0.0.1:2380,data-dir=" + t.TempDir() + "/a"},
	} {
		r := run(t, append([]string{"--config.file", f.config, args[0], "--location", "local"}, args[1:]...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "not a backup name") {
			t.Fatalf("%v: want exit 2:\n%s", args, r)
		}
	}
}
