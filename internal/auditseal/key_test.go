package auditseal_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/auditseal"
)

func TestGenerateKeyWritesPrivateKeyOnlyOwnerCanRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.key")
	pub, err := auditseal.GenerateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	signer, err := auditseal.LoadSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	filePub, err := auditseal.LoadPublicKey(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(signer.Public(), pub) || !bytes.Equal(filePub, pub) {
		t.Fatalf("the key files do not hold one key pair")
	}
	if _, err := auditseal.GenerateKey(path); err == nil {
		t.Fatalf("GenerateKey overwrote an existing key")
	}
}

func TestLoadSignerRefusesBadKeyFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "audit.key")
	if _, err := auditseal.GenerateKey(good); err != nil {
		t.Fatal(err)
	}
	secret, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content []byte
		mode    os.FileMode
		want    string
	}{
		{"readable by others", secret, 0o644, "lets others read it"},
		{"public key given", mustRead(t, good+".pub"), 0o600, "no PEM \"PRIVATE KEY\" block"},
		{"not PEM", []byte("hello"), 0o600, "no PEM"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.WriteFile(path, tc.content, tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := auditseal.LoadSigner(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadSigner: %v, want an error saying %q", err, tc.want)
			}
			if bytes.Contains([]byte(err.Error()), secret[30:60]) {
				t.Fatalf("error shows key material: %v", err)
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
