package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// process is a program a test started: in its own process group, killed when the test process
// dies (Pdeathsig), and stopped at test cleanup whatever the outcome.
type process struct {
	name string
	cmd  *exec.Cmd
	logs *tailBuffer
	done chan struct{}
	err  error // how the process ended; valid once done is closed
}

// startProcess runs bin with args, its stdout and stderr kept in a tail buffer, and registers
// its stop with t.Cleanup.
func startProcess(t testing.TB, name, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, logs: newTailBuffer(256 << 10), done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout = p.logs
	p.cmd.Stderr = p.logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.stop)
	return p
}

// exited reports whether the process has ended, and how.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// stop asks the process group to terminate and kills it after five seconds.
func (p *process) stop() {
	if ok, _ := p.exited(); ok {
		return
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

// findProgram returns the path of the first of names found in PATH or /usr/bin.
func findProgram(names ...string) (string, error) {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
		if p := filepath.Join("/usr/bin", n); isExecutable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("none of %v is installed (run scripts/install-test-deps.sh): %w", names, exec.ErrNotFound)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// startServer starts a program that listens on a free loopback address (args makes its
// arguments from that address) and waits until readyPath answers 200. When another program took
// the address between the moment it was found free and the moment the child bound it, it tries
// again with another address.
func startServer(ctx context.Context, t testing.TB, name, bin string, args func(addr string) []string, readyPath string) (*process, string) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		addr := freeAddr(t)
		p := startProcess(t, name, bin, args(addr)...)
		err := waitReady(ctx, p, "http://"+addr+readyPath)
		if err == nil {
			return p, addr
		}
		if exited, _ := p.exited(); exited && attempt < 3 && strings.Contains(p.logs.String(), "address already in use") {
			t.Logf("%s: %s was taken meanwhile; trying another address", name, addr)
			continue
		}
		t.Fatalf("%s not ready: %v\n%s", name, err, tail(p.logs.String(), 16<<10))
	}
}

// waitReady polls a readiness URL until it answers 200; it gives up at once when the process exits.
func waitReady(ctx context.Context, p *process, url string) error {
	for {
		if exited, err := p.exited(); exited {
			if err == nil {
				return fmt.Errorf("%s exited with status 0", p.name)
			}
			return fmt.Errorf("%s exited: %w", p.name, err)
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := get(cctx, url)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %w)", ctx.Err(), err)
		case <-time.After(pollInterval):
		}
	}
}

// freeAddr returns a loopback host:port that was free a moment ago, for a child program to
// listen on.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	return addr
}

// repoRoot is the directory of go.mod above the working directory (tests run in their package's
// directory).
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("look for go.mod: %v", err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the working directory")
		}
		dir = parent
	}
}
