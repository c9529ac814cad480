package embedetcd

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/etcd-monitor/etcd-monitor/internal/childproc"
)

// memberEnv carries a member's spec to a re-executed copy of this program.
const memberEnv = "EMBEDETCD_MEMBER_SPEC"

// readyLine is what a child member prints on stdout once etcd is ready.
const readyLine = "EMBEDETCD_READY"

// RunMemberIfRequested turns this process into one etcd member when it was started by a
// ProcessPerMember cluster, and never returns in that case. Call it first thing in TestMain:
//
//	func TestMain(m *testing.M) {
//		embedetcd.RunMemberIfRequested()
//		os.Exit(m.Run())
//	}
func RunMemberIfRequested() {
	raw := os.Getenv(memberEnv)
	if raw == "" {
		return
	}
	os.Exit(runMember(raw))
}

// runMember runs etcd until its stdin closes (the parent stops it or dies), then shuts it down.
func runMember(raw string) int {
	var s memberSpec
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		fmt.Fprintf(os.Stderr, "embedetcd member: bad spec: %v\n", err)
		return 2
	}
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	lg := zap.New(zapcore.NewCore(enc, zapcore.AddSync(os.Stderr), zap.InfoLevel))
	r, err := startEmbedded(s, lg, 30*time.Second)
	if err != nil {
		fmt.Fprintf(os.Stderr, "embedetcd member %s: %v\n", s.Name, err)
		return 1
	}
	fmt.Println(readyLine)
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = r.stop()
	return 0
}

// child is a member running as a re-executed copy of this program.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan error
}

func startProcess(s memberSpec, logs *logBuffer, timeout time.Duration) (runner, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), memberEnv+"="+string(raw))
	cmd.Stderr = logs
	// The member dies with the test process, even when the test process is killed (Linux;
	// elsewhere it stops when its stdin closes, which the parent's death also does).
	cmd.SysProcAttr = childproc.DieWithParent()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start member process: %w", err)
	}
	c := &child{cmd: cmd, stdin: stdin, done: make(chan error, 1)}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ok := false
		for sc.Scan() {
			if sc.Text() == readyLine && !ok {
				ok = true
				ready <- true
			}
		}
		if !ok {
			ready <- false
		}
		c.done <- cmd.Wait()
	}()
	select {
	case ok := <-ready:
		if ok {
			return c, nil
		}
		return nil, fmt.Errorf("member process exited before it was ready: %v", <-c.done)
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-c.done
		return nil, fmt.Errorf("member process not ready after %s", timeout)
	}
}

// stop closes the child's stdin, which makes it shut etcd down cleanly; it is killed if that
// takes longer than ten seconds.
func (c *child) stop() error {
	c.stdin.Close()
	select {
	case err := <-c.done:
		return err
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
		return fmt.Errorf("member process did not stop in 10s; killed")
	}
}

func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	<-c.done
}
