package ctl

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// shellUnderTestEnv makes the test binary run the shell instead of the tests (see TestMain):
// the terminal test starts it in tmux.
const shellUnderTestEnv = "CTL_SHELL_UNDER_TEST"

// runShellUnderTest runs the shell configured by the environment, as `etcd-monitor ctl` does.
func runShellUnderTest() int {
	cfg := Config{URL: os.Getenv("ETCD_MONITOR_URL"), TokenFile: os.Getenv("ETCD_MONITOR_TOKEN_FILE"), Cluster: os.Getenv("ETCD_MONITOR_CLUSTER")}
	c, err := NewClient(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return ExitError
	}
	s := &Session{Client: c, Cluster: cfg.Cluster, Stdin: os.Stdin, StdinIsTerminal: true, Stdout: os.Stdout, Stderr: os.Stderr}
	return s.Shell(context.Background(), slog.New(slog.DiscardHandler))
}

// terminal is a tmux server of its own running the shell under test in a 160x40 window.
type terminal struct {
	t      *testing.T
	tmux   string
	socket string
	env    []string
	dir    string
}

func newTerminal(t *testing.T, env ...string) *terminal {
	t.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatalf("the terminal test needs tmux (scripts/install-test-deps.sh installs it): %v", err)
	}
	id := make([]byte, 6)
	rand.Read(id)
	term := &terminal{t: t, tmux: tmux, socket: "ctl-test-" + hex.EncodeToString(id), env: env, dir: t.TempDir()}
	t.Cleanup(func() { exec.Command(tmux, "-L", term.socket, "kill-server").Run() })
	return term
}

func (term *terminal) cmd(args ...string) string {
	term.t.Helper()
	out, err := exec.Command(term.tmux, append([]string{"-L", term.socket}, args...)...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// start runs the shell (this test binary, see TestMain) in a new session.
func (term *terminal) start() {
	term.t.Helper()
	self, err := os.Executable()
	if err != nil {
		term.t.Fatal(err)
	}
	command := append([]string{"env", shellUnderTestEnv + "=1", "TERM=xterm"}, term.env...)
	command = append(command, self)
	term.cmd(append([]string{"new-session", "-d", "-s", "ctl", "-x", "160", "-y", "40", "-c", term.dir}, command...)...)
}

// typeText types text literally; keys sends tmux key names (Tab, Enter, Up, C-c).
func (term *terminal) typeText(text string) {
	term.t.Helper()
	term.cmd("send-keys", "-t", "ctl", "-l", text)
}
func (term *terminal) keys(keys ...string) {
	term.t.Helper()
	term.cmd(append([]string{"send-keys", "-t", "ctl"}, keys...)...)
}

func (term *terminal) screen() string {
	term.t.Helper()
	return term.cmd("capture-pane", "-p", "-t", "ctl")
}

// promptLine is the last non-empty line of the screen.
func promptLine(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	return strings.TrimRight(lines[len(lines)-1], " ")
}

// waitFor polls the screen until cond holds, failing after a generous timeout: the shell's
// speed is not what is tested.
func (term *terminal) waitFor(what string, cond func(screen string) bool) string {
	term.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := term.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("waiting for %s; the screen:\n%s", what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (term *terminal) waitForPrompt(line string) {
	term.t.Helper()
	term.waitFor(fmt.Sprintf("the prompt line %q", line), func(s string) bool { return promptLine(s) == line })
}

func (term *terminal) waitForText(text string) string {
	term.t.Helper()
	return term.waitFor(fmt.Sprintf("%q on the screen", text), func(s string) bool { return strings.Contains(s, text) })
}

// waitForSignals waits until the terminal turns Ctrl-C into SIGINT again (liner turns that off
// while it reads a line): the shell has taken the line and is running it.
func (term *terminal) waitForSignals() {
	term.t.Helper()
	tty := strings.TrimSpace(term.cmd("display-message", "-p", "-t", "ctl", "#{pane_tty}"))
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := exec.Command("stty", "-a", "-F", tty).CombinedOutput()
		if err != nil {
			term.t.Fatalf("stty -F %s: %v\n%s", tty, err, out)
		}
		if slices.Contains(strings.Fields(string(out)), "isig") {
			return
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("the shell did not take the line; the screen:\n%s", term.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (term *terminal) waitForExit() {
	term.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for exec.Command(term.tmux, "-L", term.socket, "has-session", "-t", "ctl").Run() == nil {
		if time.Now().After(deadline) {
			term.t.Fatalf("the shell did not exit; the screen:\n%s", term.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shellTerminal starts opsproxy and the shell in a terminal, with prefix+"alpha-key" holding
// "alpha-value", and waits for the prompt.
func shellTerminal(t *testing.T) (term *terminal, prefix string, get func(key string) []string) {
	t.Helper()
	p := startProxy(t, nil)
	cli, err := etcdtest.Shared(t).Client()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	prefix = "/term-" + fmt.Sprint(time.Now().UnixNano()) + "/"
	if _, err := cli.Put(context.Background(), prefix+"alpha-key", "alpha-value"); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(p.admin), 0o600); err != nil {
		t.Fatal(err)
	}
	term = newTerminal(t, "ETCD_MONITOR_URL="+p.url, "ETCD_MONITOR_TOKEN_FILE="+tokenFile, "ETCD_MONITOR_CLUSTER=c1")
	term.start()
	term.waitForPrompt("c1>")
	get = func(key string) []string {
		resp, err := cli.Get(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		var values []string
		for _, kv := range resp.Kvs {
			values = append(values, string(kv.Value))
		}
		return values
	}
	return term, prefix, get
}

func TestShellInATerminalCompletesAKeyAndRecallsHistoryAfterARestart(t *testing.T) {
	term, prefix, get := shellTerminal(t)

	// A partial key, Tab: the key is completed in place; Enter runs it.
	term.typeText("get " + prefix + "alp")
	term.keys("Tab")
	term.waitForPrompt("c1> get " + prefix + "alpha-key")
	term.keys("Enter")
	term.waitForText(prefix + "alpha-key\nalpha-value\n")
	term.waitForPrompt("c1>")
	term.typeText("put " + prefix + "beta b")
	term.keys("Enter")
	term.waitForText("OK")
	term.waitForPrompt("c1>")
	term.typeText("get " + prefix + " --prefix --keys-only")
	term.keys("Enter")
	term.waitForText(prefix + "alpha-key\n\n" + prefix + "beta\n")
	term.waitForPrompt("c1>")

	// Ctrl-C drops the line being typed; nothing runs.
	term.typeText("del " + prefix + "alpha-key")
	term.keys("C-c")
	term.waitForPrompt("c1>")
	if v := get(prefix + "alpha-key"); len(v) != 1 {
		t.Fatalf("the cancelled del ran: %q", v)
	}

	// use completes the cluster names and switches.
	term.typeText("use c")
	term.keys("Tab")
	term.waitForPrompt("c1> use c1")
	term.keys("Enter")
	term.waitForPrompt("c1>")
	term.typeText("use nowhere")
	term.keys("Enter")
	term.waitForText(`Error: no cluster "nowhere"; this token may use: c1`)

	term.typeText("exit")
	term.keys("Enter")
	term.waitForExit()

	// A new shell: the history comes from opsproxy, newest first.
	term.start()
	term.waitForPrompt("c1>")
	term.keys("Up")
	term.waitForPrompt("c1> get " + prefix + " --prefix --keys-only")
	term.keys("Up")
	// The put comes back without its value (the user keeps no values), and is not run so.
	term.waitFor("the put recalled with its value redacted", func(s string) bool {
		return strings.HasPrefix(promptLine(s), "c1> put "+prefix+"beta <redacted ")
	})
	term.keys("Enter")
	term.waitForText("Error: this line was recalled with its value redacted")
	term.waitForPrompt("c1>")
	if v := get(prefix + "beta"); len(v) != 1 || v[0] != "b" {
		t.Fatalf("the recalled put ran: %q", v)
	}
	term.keys("Up", "Up", "Up")
	term.waitForPrompt("c1> get " + prefix + "alpha-key")
	term.keys("C-c")
	term.waitForPrompt("c1>")

	// Ctrl-C cancels a command that is running: a watch that would wait 50 s for an event.
	term.typeText("watch " + prefix + "quiet --max-events 1 --max-wait 50s")
	term.keys("Enter")
	term.waitForSignals()
	term.keys("C-c")
	term.waitForText("Error: cancelled")
	term.waitForPrompt("c1>")
	term.keys("C-d")
	term.waitForExit()
}

func TestShellInATerminalAsksForATxnsPartsAsEtcdctlDoes(t *testing.T) {
	term, prefix, get := shellTerminal(t)
	term.typeText("txn")
	term.keys("Enter")
	term.waitForText("compares:")
	term.typeText(fmt.Sprintf(`value("%salpha-key") = "alpha-value"`, prefix))
	term.keys("Enter", "Enter")
	term.waitForText("success requests (get, put, del):")
	term.typeText("put " + prefix + "by-txn yes")
	term.keys("Enter", "Enter")
	term.waitForText("failure requests (get, put, del):")
	term.keys("Enter")
	term.waitForText("SUCCESS\n\nOK\n")
	term.waitForPrompt("c1>")
	if v := get(prefix + "by-txn"); len(v) != 1 || v[0] != "yes" {
		t.Fatalf("the txn's put: %q", v)
	}
}
