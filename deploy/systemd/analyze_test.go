package systemd

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// etcdMonitorBinary builds cmd/etcd-monitor once per test run.
func etcdMonitorBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "etcd-monitor-systemd-test")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "etcd-monitor")
		out, err := exec.Command("go", "build", "-o", binary, "../../cmd/etcd-monitor").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err: err, out: string(out)}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string {
	return "go build ./cmd/etcd-monitor: " + e.err.Error() + "\n" + e.out
}

func systemdAnalyze(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatal("systemd-analyze not found: install Debian's systemd package (make test-deps)")
	}
	return p
}

// verifyRoot makes a root directory for `systemd-analyze --root`: the units as they are in
// the repository under /etc/systemd/system, the system's own units (the targets they name), the
// built etcd-monitor at /usr/local/bin, and every other program an Exec line names, copied
// from this machine.
func verifyRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	system := "/usr/lib/systemd/system"
	if _, err := os.Stat(system); err != nil {
		system = "/lib/systemd/system" // a system without merged /usr
	}
	copyTree(t, system, filepath.Join(root, "usr/lib/systemd/system"))
	for name := range units {
		copyFile(t, name, filepath.Join(root, "etc/systemd/system", name), 0o644)
		u := readUnit(t, name)
		for _, key := range []string{"ExecStart", "ExecStartPre", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost"} {
			for _, line := range u["Service."+key] {
				prog := strings.TrimLeft(strings.Fields(line)[0], "-@:+!")
				dst := filepath.Join(root, prog)
				if prog == "/usr/local/bin/etcd-monitor" {
					copyFile(t, etcdMonitorBinary(t), dst, 0o755)
					continue
				}
				copyFile(t, prog, dst, 0o755)
			}
		}
	}
	return root
}

// TestUnitsPassSystemdAnalyzeVerify: systemd's own checker accepts every unit file of the
// repository, unchanged, without a warning.
func TestUnitsPassSystemdAnalyzeVerify(t *testing.T) {
	analyze := systemdAnalyze(t)
	root := verifyRoot(t)
	for name := range units {
		cmd := exec.Command(analyze, "verify", "--root="+root, name)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil || out.Len() > 0 {
			t.Errorf("systemd-analyze verify %s: %v\n%s", name, err, out.String())
		}
	}
}

// TestVerifyCatchesWhatIsWrong: the same check, on units broken as one might break them, fails
// and says why; so a green TestUnitsPassSystemdAnalyzeVerify means something.
func TestVerifyCatchesWhatIsWrong(t *testing.T) {
	analyze := systemdAnalyze(t)
	for _, tc := range []struct{ name, old, new, want string }{
		{"misspelt option", "ProtectSystem=strict", "ProtectSytem=strict", "Unknown key"},
		{"bad value", "ProtectSystem=strict", "ProtectSystem=strictest", "Failed to parse protect system value"},
		{"missing program", "/usr/local/bin/etcd-monitor exporter", "/usr/local/bin/etcd-monitr exporter", "is not executable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := verifyRoot(t)
			p := filepath.Join(root, "etc/systemd/system/etcd-monitor-exporter.service")
			text, err := os.ReadFile(p)
			if err != nil || !strings.Contains(string(text), tc.old) {
				t.Fatalf("case does not apply: %v", err)
			}
			if err := os.WriteFile(p, []byte(strings.Replace(string(text), tc.old, tc.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			out, _ := exec.Command(analyze, "verify", "--root="+root, "etcd-monitor-exporter.service").CombinedOutput()
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("output %q, want it to say %q", out, tc.want)
			}
		})
	}
}

// TestUnitsExposureIsLow: `systemd-analyze security` rates each unit 2.0 or lower ("OK", on its
// 0-10 scale of what the service could reach).
func TestUnitsExposureIsLow(t *testing.T) {
	analyze := systemdAnalyze(t)
	root := verifyRoot(t)
	for name := range units {
		cmd := exec.Command(analyze, "security", "--offline=yes", "--threshold=20", "--root="+root, name)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("systemd-analyze security %s: %v\n%s", name, err, out)
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		t.Logf("%s", lines[len(lines)-1])
	}
}

// TestDiskprobeDirectoryIsTheAgentsAlone applies the agent's sysusers.d and tmpfiles.d files
// to a temporary root: its user is made, and its probe directory is made for that user alone.
func TestDiskprobeDirectoryIsTheAgentsAlone(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("systemd-tmpfiles can give the directory its owner only when run as root")
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	sysusers, _ := filepath.Abs("etcd-monitor-diskprobe.sysusers.conf")
	tmpfiles, _ := filepath.Abs("etcd-monitor-diskprobe.tmpfiles.conf")
	for _, c := range [][]string{
		{"systemd-sysusers", "--root=" + root, sysusers},
		{"systemd-tmpfiles", "--create", "--root=" + root, tmpfiles},
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
	passwd, err := os.ReadFile(filepath.Join(root, "etc/passwd"))
	if err != nil {
		t.Fatal(err)
	}
	var uid string
	for _, l := range strings.Split(string(passwd), "\n") {
		if f := strings.Split(l, ":"); len(f) > 3 && f[0] == "etcd-diskprobe" {
			uid = f[2]
		}
	}
	if uid == "" || uid == "0" {
		t.Fatalf("etcd-diskprobe: uid %q in\n%s", uid, passwd)
	}
	u := readUnit(t, "etcd-monitor-diskprobe.service")
	dir := u["Service.ReadWritePaths"]
	if len(dir) != 1 || !strings.Contains(u["Service.ExecStart"][0], "--dir="+dir[0]+" ") {
		t.Fatalf("ReadWritePaths=%v: want the one directory --dir names", dir)
	}
	fi, err := os.Stat(filepath.Join(root, dir[0]))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 || statUID(fi) != uid {
		t.Errorf("%s: mode %v owner %s, want 0700 owned by etcd-diskprobe (%s)", dir[0], fi.Mode().Perm(), statUID(fi), uid)
	}
	if !strings.Contains(strings.Join(u["Service.User"], ""), "etcd-diskprobe") {
		t.Errorf("User=%v, want etcd-diskprobe", u["Service.User"])
	}
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatalf("%v (a program the units run must exist here for systemd-analyze)", err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case fi.IsDir():
			return os.MkdirAll(target, 0o755)
		case fi.Mode()&os.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case fi.Mode().IsRegular():
			copyFile(t, p, target, 0o644)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
