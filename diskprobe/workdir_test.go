package diskprobe

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func osMkdirTemp(parent string) (string, error) {
	d, err := os.MkdirTemp(parent, "diskprobe-test-")
	return d, err
}

func containsString(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// deadPID is the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestRunRemovesACrashedProbesLeftoverAndKeepsEverythingElse(t *testing.T) {
	if !nativeSupported {
		t.Skip("native probe unsupported here")
	}
	dir := probeDirFor(t)
	crashed := filepath.Join(dir, fmt.Sprintf("%s%d-0badc0de", WorkDirPrefix, deadPID(t)))
	live := filepath.Join(dir, fmt.Sprintf("%s%d-0badc0de", WorkDirPrefix, os.Getppid()))
	lookalike := filepath.Join(dir, WorkDirPrefix+"notapid")
	for _, d := range []string{crashed, live, lookalike} {
		if err := os.MkdirAll(filepath.Join(d, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "sub", "segment.wal"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A leftover-looking symlink to a directory is not followed or removed.
	target := t.TempDir()
	if err := os.WriteFile(filepath.Join(target, "precious"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, fmt.Sprintf("%s%d-0000beef", WorkDirPrefix, deadPID(t)))
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Options{Dir: dir, Job: smallJob()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RemovedLeftovers) != 1 || res.RemovedLeftovers[0] != crashed {
		t.Fatalf("removed %q, want only %s", res.RemovedLeftovers, crashed)
	}
	assertNothingLeft(t, dir, filepath.Base(live), filepath.Base(lookalike), filepath.Base(link))
	if _, err := os.Stat(filepath.Join(target, "precious")); err != nil {
		t.Fatalf("symlink target touched: %v", err)
	}
}

func TestRunRefusesAFileWhereADirectoryIsExpected(t *testing.T) {
	dir := probeDirFor(t)
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{Dir: file, Job: smallJob()}, {Dir: dir, WALDir: file, Job: smallJob()}} {
		_, err := Run(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), file+" is not a directory") || !IsBadInput(err) {
			t.Fatalf("error %v, want %s is not a directory", err, file)
		}
	}
	assertNothingLeft(t, dir, "file")
}

func TestRunRefusesANonWritableDirectory(t *testing.T) {
	if !nativeSupported {
		t.Skip("native probe unsupported here")
	}
	// Root writes through permission bits; /sys refuses everyone.
	dir := "/sys"
	if err := os.Mkdir("/sys/diskprobe-test", 0o700); err == nil {
		os.Remove("/sys/diskprobe-test")
		t.Skip("/sys is writable here")
	}
	_, err := Run(context.Background(), Options{Dir: dir, Job: smallJob()})
	if err == nil || !strings.Contains(err.Error(), "dir: /sys is not writable") {
		t.Fatalf("error %v, want dir: /sys is not writable", err)
	}
}

func TestRunRefusesWithoutFreeSpaceSayingNeededAndFree(t *testing.T) {
	if !nativeSupported {
		t.Skip("free space is checked on Linux")
	}
	dir := probeDirFor(t)
	info, err := fsInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	j := Job{Profile: "custom", BlockSize: 4096, Size: int64(info.FreeBytes) + 1<<30}
	if j.Size > MaxSize {
		t.Skip("more free space than a job may write")
	}
	_, err = Run(context.Background(), Options{Dir: dir, Job: j})
	if err == nil || !strings.Contains(err.Error(), "dir: not enough free space on "+dir+": the probe needs "+FormatBytes(j.Size)+" plus a margin of") ||
		!strings.Contains(err.Error(), "is free") {
		t.Fatalf("error %v", err)
	}
	assertNothingLeft(t, dir)
}

func TestProbeDirFollowsTheWALDirectoryOnlyToAnotherFilesystem(t *testing.T) {
	if !nativeSupported {
		t.Skip("native probe unsupported here")
	}
	data := probeDirFor(t)
	if err := os.MkdirAll(filepath.Join(data, "member", "wal"), 0o700); err != nil {
		t.Fatal(err)
	}
	// Same filesystem: the probe writes in the data directory, not among etcd's WAL files,
	// and reports the WAL directory it measured.
	res, err := Run(context.Background(), Options{Dir: data, Job: smallJob()})
	if err != nil || res.Dir != data || res.WALDir != filepath.Join(data, "member", "wal") {
		t.Fatalf("dir %q wal dir %q, %v; want %s and its member/wal", res.Dir, res.WALDir, err, data)
	}
	assertNothingLeft(t, data, "member")
	assertNothingLeft(t, filepath.Join(data, "member", "wal"))
	var got string
	// An explicit WAL directory on another filesystem (tmpfs here) is where it writes.
	shm, err := osMkdirTemp("/dev/shm")
	if err != nil {
		t.Skip(err)
	}
	defer os.RemoveAll(shm)
	if d1, _ := deviceOf(shm); d1 == func() uint64 { d, _ := deviceOf(data); return d }() {
		t.Skip("/dev/shm is on the same filesystem")
	}
	got, _, err = probeDir(Options{Dir: data, WALDir: shm})
	if err != nil || got != shm {
		t.Fatalf("probeDir = %q, %v; want %s", got, err, shm)
	}
	got, _, err = probeDir(Options{Dir: shm, WALDir: shm})
	if err != nil || got != shm {
		t.Fatalf("probeDir (wal dir only) = %q, %v; want %s", got, err, shm)
	}
}

func TestLeftoverPIDReadsOnlyProbeNames(t *testing.T) {
	cases := map[string]int{
		WorkDirPrefix + "123-0badc0de": 123,
		WorkDirPrefix + "123-0badc0d":  0,
		WorkDirPrefix + "123-zzzzzzzz": 0,
		WorkDirPrefix + "x-0badc0de":   0,
		WorkDirPrefix + "-5-0badc0de":  0,
		"member":                       0,
	}
	for name, want := range cases {
		if got, ok := leftoverPID(name); got != want && ok || (want != 0) != ok {
			t.Errorf("leftoverPID(%q) = %d, %v; want %d", name, got, ok, want)
		}
	}
}
