package diskprobe

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const signalHelperEnv = "DISKPROBE_SIGNAL_HELPER_DIR"

var exit = os.Exit

// runSignalHelperIfRequested makes the test binary one long probe that stops on SIGINT or
// SIGTERM, as `etcd-monitor diskprobe` does (its ctx is signal.NotifyContext's).
func runSignalHelperIfRequested() {
	dir := os.Getenv(signalHelperEnv)
	if dir == "" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	j := Job{Profile: "custom", BlockSize: 4096, Size: 1 << 20, Duration: time.Minute}
	started := false
	_, err := Run(ctx, Options{Dir: dir, Job: j, Progress: func(int64, int64) {
		if !started {
			started = true
			fmt.Println("started")
		}
	}})
	fmt.Println("stopped:", err)
	os.Exit(0)
}

var sigName = map[os.Signal]string{syscall.SIGTERM: "terminated signal received", os.Interrupt: "interrupt signal received"}

func TestProbeRemovesItsDirectoryOnSIGINTAndSIGTERM(t *testing.T) {
	if !nativeSupported {
		t.Skip("native probe unsupported here")
	}
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := probeDirFor(t)
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), signalHelperEnv+"="+dir)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 4096)
			var got strings.Builder
			for !strings.Contains(got.String(), "started") {
				n, err := out.Read(buf)
				if err != nil {
					t.Fatalf("helper: %v (output %q)", err, got.String())
				}
				got.Write(buf[:n])
			}
			// The probe is writing in its own subdirectory now.
			if m, _ := filepath.Glob(filepath.Join(dir, WorkDirPrefix+"*")); len(m) != 1 {
				t.Fatalf("probe directory while running: %q", m)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			for {
				n, err := out.Read(buf)
				got.Write(buf[:n])
				if err != nil {
					break
				}
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("helper: %v", err)
			}
			if !strings.Contains(got.String(), "stopped: probe stopped early: "+sigName[sig]) {
				t.Fatalf("helper output %q", got.String())
			}
			assertNothingLeft(t, dir)
		})
	}
}
