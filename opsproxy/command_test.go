package opsproxy

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
)

// runCommand parses args as etcd-monitor would and runs the opsproxy command.
func runCommand(t *testing.T, args ...string) (int, string) {
	t.Helper()
	app := kingpin.New("etcd-monitor", "")
	cmd := RegisterCommand(app)
	var out bytes.Buffer
	cmd.out = &out
	chosen, err := app.Parse(args)
	if err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	if !cmd.Matches(chosen) {
		t.Fatalf("command %q not matched", chosen)
	}
	return cmd.Run(context.Background(), slog.New(slog.DiscardHandler)), out.String()
}

func TestCommandCreatesListsAndRevokesTokensAndVerifiesTheAuditLog(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "opsproxy.yml")
	yml := fmt.Sprintf("clusters:\n  - name: c1\n    endpoints: [http://127.0.0.1:2379]\nstore:\n  path: %s\n", filepath.Join(dir, "store.db"))
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := runCommand(t, "opsproxy", "--config.file", cfg, "token", "create", "--name", "ci", "--role", "editor", "--key-prefix", "/app/", "--cluster", "c1")
	if code != 0 || !strings.Contains(out, "shown only now") {
		t.Fatalf("create: %d %s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	id := strings.Fields(lines[0])[1]
	code, out = runCommand(t, "opsproxy", "--config.file", cfg, "token", "list")
	if code != 0 || !strings.Contains(out, id) || strings.Contains(out, secret) {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, out = runCommand(t, "opsproxy", "--config.file", cfg, "token", "revoke", id); code != 0 {
		t.Fatalf("revoke: %d %s", code, out)
	}
	if code, out = runCommand(t, "opsproxy", "--config.file", cfg, "token", "create", "--name", "x", "--role", "viewer", "--cluster", "nope"); code != 1 {
		t.Fatalf("create for an unknown cluster: %d %s", code, out)
	}
	if code, out = runCommand(t, "opsproxy", "--config.file", cfg, "verify-audit"); code != 0 || !strings.Contains(out, "audit log intact") {
		t.Fatalf("verify-audit: %d %s", code, out)
	}
	if code, out = runCommand(t, "opsproxy", "--config.file", cfg, "--config.check"); code != 0 || !strings.Contains(out, "OK, 1 cluster(s)") {
		t.Fatalf("config check: %d %s", code, out)
	}
}

// The embedded store is locked by a running opsproxy: verify-audit says so within its lock
// timeout instead of waiting, and verifies through the running process with --url.
func TestVerifyAuditOfTheEmbeddedStoreWorksWhileOpsproxyRuns(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "store.db")
	st, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := newEnv(t, envOptions{st: st})
	if r := e.call(t, "GET", "/api/v1/clusters", e.admin, nil); r.status != 200 {
		t.Fatalf("a request to audit: %d %s", r.status, r.body)
	}
	cfg := filepath.Join(dir, "cli.yml")
	yml := fmt.Sprintf("clusters:\n  - name: c1\n    endpoints: [http://127.0.0.1:2379]\nstore:\n  path: %s\n", path)
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokenFile, []byte(e.admin+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := runCommand(t, "opsproxy", "--config.file", cfg, "verify-audit"); code != 1 {
		t.Fatalf("verify-audit of a locked file: %d %s", code, out)
	}
	code, out := runCommand(t, "opsproxy", "--config.file", cfg, "verify-audit", "--url", strings.TrimSuffix(e.url, "/"), "--token.file", tokenFile)
	if code != 0 || !strings.Contains(out, "audit log intact") {
		t.Fatalf("verify-audit through the running opsproxy: %d %s", code, out)
	}
	if code, out := runCommand(t, "opsproxy", "--config.file", cfg, "verify-audit", "--url", e.url); code != 1 {
		t.Fatalf("--url without --token.file: %d %s", code, out)
	}
	// Through the running opsproxy, its configuration file is not needed (it may be on another host).
	code, out = runCommand(t, "opsproxy", "--config.file", filepath.Join(dir, "absent.yml"), "verify-audit", "--url", e.url, "--token.file", tokenFile)
	if code != 0 || !strings.Contains(out, "audit log intact") {
		t.Fatalf("verify-audit --url without a configuration file here: %d %s", code, out)
	}
	if code, out := runCommand(t, "opsproxy", "--config.file", cfg, "token", "create", "--name", "x", "--role", "viewer"); code != 1 {
		t.Fatalf("token create on a locked file: %d %s", code, out)
	}
}

// The advice printed when the embedded store is locked fits the command: verify-audit has
// --url, the token commands have the API instead.
func TestLockedStoreAdviceFitsTheCommand(t *testing.T) {
	if a := lockedStoreAdvice("verify-audit"); !strings.Contains(a, "--url and --token.file") {
		t.Errorf("verify-audit: %q", a)
	}
	for _, cmd := range []string{"token-create", "token-list", "token-revoke"} {
		if a := lockedStoreAdvice(cmd); strings.Contains(a, "--url") || !strings.Contains(a, "/api/v1/tokens") {
			t.Errorf("%s: %q", cmd, a)
		}
	}
}
