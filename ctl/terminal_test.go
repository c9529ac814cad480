package ctl

import (
	"context"
	"fmt"
	"log/slog"
	"os"
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
