package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets a test run taskmaster as a real process: with TASKMASTER_RUN_MAIN=1 the test
// binary is taskmaster.
func TestMain(m *testing.M) {
	if os.Getenv("TASKMASTER_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// taskmasterCmd is a taskmaster process working in dir.
func taskmasterCmd(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TASKMASTER_RUN_MAIN=1")
	return cmd
}

// result is what one taskmaster run did.
type result struct {
	code           int
	stdout, stderr string
}

// runIn runs taskmaster in dir, in-process.
func runIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd) //nolint:errcheck // restoring the test's directory
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// mustRun runs taskmaster in dir and fails the test unless it succeeds.
func mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	r := runIn(t, dir, args...)
	if r.code != 0 {
		t.Fatalf("taskmaster %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// samplePRD has task-1.1 (two subtasks), task-1.2 (none) and task-2.1 (one subtask).
const samplePRD = `# Sample

## Phase 1: Start (Weeks 1-2)

### Setup

Estimate: 6h

- Repository
- CI

### Docs [LOW]

## Phase 2: Finish

### Release

- Tag
`

// workdir is a temporary directory holding PRD.md with src.
func workdir(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "PRD.md"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// initialised is a workdir after taskmaster init.
func initialised(t *testing.T) string {
	t.Helper()
	dir := workdir(t, samplePRD)
	mustRun(t, dir, "init")
	return dir
}

// listing returns the names in dir.
func listing(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
