package opsproxy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// etcdctlVersion is the etcdctl (and etcdutl) the console is compared with.
const etcdctlVersion = "v3.7.3"

var (
	etcdctlOnce sync.Once
	etcdctlDir  string
	etcdctlErr  error
)

// etcdctlBinaries builds the real etcdctl and etcdutl of etcdctlVersion from the Go module
// proxy, once per user cache (a later test binary finds them there), and returns the directory
// holding them. etcdctl's module has replace directives, so `go install module@version`
// refuses it: the binaries are built as dependencies of a throwaway module instead.
func etcdctlBinaries(t testing.TB) string {
	t.Helper()
	etcdctlOnce.Do(func() { etcdctlDir, etcdctlErr = buildEtcdctl() })
	if etcdctlErr != nil {
		t.Fatalf("build etcdctl %s: %v", etcdctlVersion, etcdctlErr)
	}
	return etcdctlDir
}

func buildEtcdctl() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "etcd-monitor-test", "etcdctl-"+etcdctlVersion+"-"+runtime.GOOS+"-"+runtime.GOARCH)
	if fileExists(filepath.Join(dir, "etcdctl")) && fileExists(filepath.Join(dir, "etcdutl")) {
		return dir, nil
	}
	work, err := os.MkdirTemp("", "etcdctl-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	files := map[string]string{
		"go.mod":   "module etcdctlbuild\n\ngo 1.26\n",
		"tools.go": "//go:build tools\n\npackage tools\n\nimport (\n\t_ \"go.etcd.io/etcd/etcdctl/v3\"\n\t_ \"go.etcd.io/etcd/etcdutl/v3\"\n)\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(work, name), []byte(text), 0o644); err != nil {
			return "", err
		}
	}
	// The go command that runs the tests (on PATH), as the Makefile's $(GO) is.
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	run := func(args ...string) error {
		cmd := exec.Command(gobin, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %v: %v\n%s", args, err, out)
		}
		return nil
	}
	if err := run("get", "go.etcd.io/etcd/etcdctl/v3@"+etcdctlVersion, "go.etcd.io/etcd/etcdutl/v3@"+etcdctlVersion); err != nil {
		return "", err
	}
	out := filepath.Join(work, "bin")
	for _, tool := range []string{"etcdctl", "etcdutl"} {
		if err := run("build", "-o", filepath.Join(out, tool), "go.etcd.io/etcd/"+tool+"/v3"); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	// Renamed into place whole, so a concurrent test binary sees both binaries or neither.
	if err := os.Rename(out, dir); err != nil && !fileExists(filepath.Join(dir, "etcdutl")) {
		return "", err
	}
	return dir, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
