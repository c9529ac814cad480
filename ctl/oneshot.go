package ctl

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Session is one run of ctl: the client, the cluster commands run on, and the terminal.
type Session struct {
	Client  *Client
	Cluster string
	Stdin   io.Reader
	// StdinIsTerminal: stdin is a person typing, never read as a command's input.
	StdinIsTerminal bool
	Stdout, Stderr  io.Writer
}

// maxStdin bounds what is read from stdin for txn and put: etcd refuses requests above
// 1.5 MiB by default, and the console's request body is bounded too.
const maxStdin = 2 << 20

// Exit codes of etcdctl (go.etcd.io/etcd/pkg/v3/cobrautl) that ctl itself decides.
const (
	ExitInterrupted = 5
	ExitBadArgs     = 128
)

// RunOnce runs the command words name, prints what etcdctl prints and returns the code etcdctl
// exits with for the same outcome. `snapshot save FILE` streams the snapshot into the local
// FILE, as etcdctl does; every other command runs in opsproxy's console.
func (s *Session) RunOnce(ctx context.Context, words []string) int {
	if len(words) >= 2 && words[0] == "snapshot" && words[1] == "save" {
		return s.snapshotSave(ctx, words[2:])
	}
	line, multiline, err := multilineLine(words)
	switch {
	case err != nil:
		fmt.Fprintln(s.Stderr, "Error:", err)
		return ExitBadArgs
	case !multiline:
		line = Line(words)
	}
	if !multiline && !s.StdinIsTerminal && s.Stdin != nil && readsStdin(words) {
		in, err := io.ReadAll(io.LimitReader(s.Stdin, maxStdin+1))
		switch {
		case err != nil:
			return s.fail(fmt.Errorf("read stdin: %w", err))
		case len(in) > maxStdin:
			return s.fail(fmt.Errorf("stdin: more than %d bytes, larger than etcd accepts in a request", maxStdin))
		case len(in) > 0:
			line += "\n" + string(in)
		}
	}
	ans, err := s.Client.Run(ctx, s.Cluster, line)
	if err != nil {
		return s.fail(err)
	}
	io.WriteString(s.Stdout, ans.Stdout)
	io.WriteString(s.Stderr, ans.Stderr)
	return ans.ExitCode
}

// snapshotSave is `snapshot save FILE` (args: the words after "save").
func (s *Session) snapshotSave(ctx context.Context, args []string) int {
	files := positionalWords(args, globalValueFlags)
	if len(files) != 1 {
		fmt.Fprintln(s.Stderr, "Error:", errNoSnapshotFile)
		return ExitBadArgs
	}
	saved, err := s.Client.SaveSnapshot(ctx, s.Cluster, files[0])
	if err != nil {
		var ae *APIError
		var ue *UnreachableError
		if errors.As(err, &ae) || errors.As(err, &ue) {
			return s.fail(err)
		}
		// etcdctl exits with ExitInterrupted whenever the save fails.
		fmt.Fprintln(s.Stderr, "Error:", err)
		return ExitInterrupted
	}
	fmt.Fprintf(s.Stdout, "Snapshot saved at %s\n", saved.Path)
	if saved.Version != "" {
		fmt.Fprintf(s.Stdout, "Server version %s\n", saved.Version)
	}
	return 0
}

// fail prints err as etcdctl prints its errors and returns the exit code for it.
func (s *Session) fail(err error) int {
	fmt.Fprintln(s.Stderr, "Error:", err)
	return ExitCodeOf(err)
}
