package disttest

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the repository root, two levels above this package.
var repoRoot = filepath.Join("..", "..")

// TestDistWritesArchivesAppZipAndChecksums runs scripts/dist.sh for this machine's platform
// only (the four release platforms are `make dist`'s; one is enough to check the layout) with a
// stand-in app zip, and checks the file list, the archives' contents and SHA256SUMS.
func TestDistWritesArchivesAppZipAndChecksums(t *testing.T) {
	tmp := t.TempDir()
	appZip := filepath.Join(tmp, "etcdmonitor-etcd-app-0.1.0.zip")
	if err := os.WriteFile(appZip, []byte("stand-in for the Grafana app zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "dist")
	platform := runtime.GOOS + "/" + runtime.GOARCH
	cmd := exec.Command("bash", "scripts/dist.sh")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "DIST_DIR="+out, "DIST_PLATFORMS="+platform, "VERSION=9.9.9-test", "DIST_TRIMPATH=0",
		"GRAFANA_APP_ZIP="+appZip, "LDFLAGS=-X github.com/prometheus/common/version.Version=9.9.9-test")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dist.sh: %v\n%s", err, b)
	}

	archive := "etcd-monitor-9.9.9-test." + runtime.GOOS + "-" + runtime.GOARCH + ".tar.gz"
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"SHA256SUMS", archive, "etcdmonitor-etcd-app-0.1.0.zip"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("dist holds %v, want %v", names, want)
	}
	if _, err := os.Stat(out + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("dist.sh left its work directory behind: %v", err)
	}

	sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{archive, "etcdmonitor-etcd-app-0.1.0.zip"} {
		if !strings.Contains(string(sums), "  "+n+"\n") {
			t.Errorf("SHA256SUMS does not list %s:\n%s", n, sums)
		}
	}
	check := exec.Command("sha256sum", "-c", "SHA256SUMS")
	check.Dir = out
	if b, err := check.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, b)
	}

	dir := strings.TrimSuffix(archive, ".tar.gz")
	files := untar(t, filepath.Join(out, archive), tmp)
	wantFiles := []string{dir + "/LICENSE", dir + "/README.md", dir + "/etcd-monitor", dir + "/etcd-monitor-ctl"}
	slices.Sort(files)
	if !slices.Equal(files, wantFiles) {
		t.Fatalf("%s holds %v, want %v", archive, files, wantFiles)
	}
	ver, err := exec.Command(filepath.Join(tmp, dir, "etcd-monitor"), "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(ver), "9.9.9-test") {
		t.Errorf("etcd-monitor --version from the archive: %v\n%s", err, ver)
	}
}

// TestDistRefusesAMissingAppZip checks a failed run leaves no dist directory, half-made or not.
func TestDistRefusesAMissingAppZip(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "dist")
	cmd := exec.Command("bash", "scripts/dist.sh")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "DIST_DIR="+out, "DIST_PLATFORMS="+runtime.GOOS+"/"+runtime.GOARCH,
		"GRAFANA_APP_ZIP="+filepath.Join(tmp, "missing.zip"))
	if b, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("dist.sh succeeded without the app zip:\n%s", b)
	}
	for _, p := range []string{out, out + ".tmp"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s exists after a failed run", p)
		}
	}
}

// TestDistPlatformsBuild type-checks the commands for darwin, the release platforms that are
// not Linux (Linux-only syscalls need build-tagged files there); `make dist` builds all four.
func TestDistPlatformsBuild(t *testing.T) {
	for _, goarch := range []string{"amd64", "arm64"} {
		t.Run("darwin-"+goarch, func(t *testing.T) {
			cmd := exec.Command("go", "vet", "./cmd/...")
			cmd.Dir = repoRoot
			cmd.Env = append(os.Environ(), "GOOS=darwin", "GOARCH="+goarch, "CGO_ENABLED=0")
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("GOOS=darwin GOARCH=%s go vet ./cmd/...: %v\n%s", goarch, err, b)
			}
		})
	}
}

// untar extracts a .tar.gz into dir and returns the regular files' names.
func untar(t *testing.T, path, dir string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, filepath.FromSlash(h.Name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			names = append(names, h.Name)
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(target, b, os.FileMode(h.Mode)); err != nil {
				t.Fatal(err)
			}
		}
	}
}
