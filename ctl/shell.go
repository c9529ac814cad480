package ctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	// liner: its WordCompleter hands over the line and cursor and takes back (head, candidates,
	// tail), which is exactly the complete endpoint's answer (replace line[from:to]); its
	// history is a list we fill from opsproxy (AppendHistory) rather than a file of its own, so
	// the shell shares the user's history with the app; Ctrl-C aborts the line being edited
	// (SetCtrlCAborts). chzyer/readline only completes a suffix of the word before the cursor,
	// and reeflective/readline brings a whole shell framework (keymaps, vim mode, carapace)
	// for features we do not use.
	"github.com/peterh/liner"
)

// shellHistorySize is how many of the user's lines the shell loads from opsproxy.
const shellHistorySize = 500

// completeTimeout bounds a Tab: a slow answer is worth less than a prompt that responds.
const completeTimeout = 3 * time.Second

// txnPrompts are what `etcdctl txn -i` prints before each part of a transaction.
var txnPrompts = []string{"compares:", "success requests (get, put, del):", "failure requests (get, put, del):"}

const shellHelp = `Type etcdctl commands as you would to etcdctl (get /foo --prefix -w json); they run through
opsproxy with your token's role and are audited. Tab completes commands, flags and key names.
  use <cluster>   run the following commands on another cluster
  help            this text
  exit            leave (or Ctrl-D); Ctrl-C cancels the line or the running command
A txn asks for its compares, success and failure requests, each ended by an empty line.
snapshot save runs as a job in the shell; use the one-shot "etcd-monitor ctl snapshot save FILE"
to write a local file. defrag and check perf run as jobs too: the answer names the job to follow.
`

// shell is the state of the interactive shell.
type shell struct {
	*Session
	ln     *liner.State
	logger *slog.Logger
	ctx    context.Context
	// interrupts receives SIGINT for the shell's whole life: Ctrl-C at the prompt is a key
	// (liner turns signals off while it reads), so a SIGINT is a Ctrl-C pressed after Enter,
	// meant for the command, even when it comes before the command started.
	interrupts chan os.Signal
}

// Shell runs the interactive shell until exit, Ctrl-D or SIGTERM, and returns the exit code.
func (s *Session) Shell(ctx context.Context, logger *slog.Logger) int {
	// main's context ends on SIGINT too, but in the shell Ctrl-C only cancels the line or the
	// command at hand; SIGTERM still ends the shell.
	base := context.WithoutCancel(ctx)
	if s.Cluster == "" {
		name, err := s.Client.DefaultCluster(ctx)
		var ue *UnreachableError
		var ae *APIError
		switch {
		case errors.As(err, &ue) || errors.As(err, &ae):
			// opsproxy unreachable, or the token refused: no shell would work.
			return s.fail(err)
		case err != nil:
			// Several clusters (or none): the shell starts without one.
			fmt.Fprintf(s.Stderr, "%v\nchoose one with: use <cluster>\n", err)
		}
		s.Cluster = name
	}
	sh := &shell{Session: s, ln: liner.NewLiner(), logger: logger, ctx: base, interrupts: make(chan os.Signal, 1)}
	defer sh.ln.Close()
	signal.Notify(sh.interrupts, os.Interrupt)
	defer signal.Stop(sh.interrupts)
	sh.ln.SetCtrlCAborts(true)
	sh.ln.SetTabCompletionStyle(liner.TabPrints)
	sh.ln.SetWordCompleter(sh.complete)
	sh.loadHistory()

	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	defer func() {
		signal.Stop(term)
		close(term)
	}()
	go func() {
		if _, ok := <-term; ok {
			// The prompt cannot be interrupted: restore the terminal and leave as SIGTERM would.
			sh.ln.Close()
			os.Exit(128 + int(syscall.SIGTERM))
		}
	}()

	code := 0
	for {
		// A Ctrl-C pressed while no command ran is for none.
		select {
		case <-sh.interrupts:
		default:
		}
		line, err := sh.ln.Prompt(sh.prompt())
		switch {
		case errors.Is(err, liner.ErrPromptAborted):
			continue
		case errors.Is(err, io.EOF):
			fmt.Fprintln(s.Stdout)
			return code
		case err != nil:
			fmt.Fprintln(s.Stderr, "Error:", err)
			return ExitError
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if !redactedValue.MatchString(line) {
			sh.ln.AppendHistory(line)
		}
		switch fields[0] {
		case "exit", "quit":
			return code
		case "help":
			io.WriteString(s.Stdout, shellHelp)
		case "use":
			sh.use(fields[1:])
		case "txn":
			if full, ok := sh.readTxn(line); ok {
				code = sh.run(full)
			}
		default:
			code = sh.run(line)
		}
	}
}

func (sh *shell) prompt() string { return sh.Cluster + "> " }

// redactedValue is how the console writes a put's value into the history of a user who does
// not keep values. A line recalled from that history carries it in place of the value.
var redactedValue = regexp.MustCompile(`<redacted [0-9]+ bytes>`)

// run runs one line on the cluster; Ctrl-C cancels it.
func (sh *shell) run(line string) int {
	if sh.Cluster == "" {
		fmt.Fprintln(sh.Stderr, "Error: no cluster: choose one with: use <cluster>")
		return ExitError
	}
	if redactedValue.MatchString(line) {
		// Recalled from the history without its value: running it would write the placeholder.
		fmt.Fprintln(sh.Stderr, "Error: this line was recalled with its value redacted: type the value in its place (PUT /api/v1/console/settings keep_values keeps values in your history)")
		return ExitBadArgs
	}
	ctx, cancel := context.WithCancel(sh.ctx)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-sh.interrupts:
			cancel()
		case <-done:
		}
	}()
	ans, err := sh.Client.Run(ctx, sh.Cluster, line)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(sh.Stderr, "Error: cancelled")
			return ExitInterrupted
		}
		return sh.fail(err)
	}
	io.WriteString(sh.Stdout, ans.Stdout)
	io.WriteString(sh.Stderr, ans.Stderr)
	return ans.ExitCode
}

// readTxn asks for a transaction's three parts as `etcdctl txn -i` does, each ended by an
// empty line, and returns the command line followed by them; false when Ctrl-C or Ctrl-D
// abandoned it.
func (sh *shell) readTxn(first string) (string, bool) {
	var b strings.Builder
	b.WriteString(first)
	b.WriteString("\n")
	for _, p := range txnPrompts {
		fmt.Fprintln(sh.Stdout, p)
		for {
			line, err := sh.ln.Prompt("")
			if err != nil {
				if errors.Is(err, io.EOF) {
					fmt.Fprintln(sh.Stdout)
				}
				return "", false
			}
			line = strings.TrimSpace(line)
			b.WriteString(line)
			b.WriteString("\n")
			if line == "" {
				break
			}
		}
	}
	return b.String(), true
}

// use switches to another cluster the token may use.
func (sh *shell) use(args []string) {
	if len(args) != 1 {
		fmt.Fprintln(sh.Stderr, "Error: use expects one argument <cluster>")
		return
	}
	names, err := sh.clusterNames()
	if err != nil {
		sh.fail(err)
		return
	}
	if !slices.Contains(names, args[0]) {
		fmt.Fprintf(sh.Stderr, "Error: no cluster %q; this token may use: %s\n", args[0], strings.Join(names, ", "))
		return
	}
	sh.Cluster = args[0]
}

func (sh *shell) clusterNames() ([]string, error) {
	ctx, cancel := context.WithTimeout(sh.ctx, completeTimeout)
	defer cancel()
	list, err := sh.Client.Clusters(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(list))
	for i, c := range list {
		names[i] = c.Name
	}
	return names, nil
}

// loadHistory fills the shell's history with the user's lines from opsproxy, oldest first,
// so ↑ recalls what was typed in an earlier shell or in the app. Only a line's first line
// (the command) is recalled: a txn's requests are asked for again.
func (sh *shell) loadHistory() {
	ctx, cancel := context.WithTimeout(sh.ctx, completeTimeout)
	defer cancel()
	entries, err := sh.Client.History(ctx, shellHistorySize)
	if err != nil {
		fmt.Fprintf(sh.Stderr, "history unavailable: %v\n", err)
		return
	}
	for i := len(entries) - 1; i >= 0; i-- {
		first, _, _ := strings.Cut(entries[i].Line, "\n")
		if strings.TrimSpace(first) != "" {
			sh.ln.AppendHistory(first)
		}
	}
}

// shellWords are the shell's own commands, offered with etcdctl's for the first word.
var shellWords = []string{"use", "help", "exit"}

// complete is liner's word completer: pos is a rune offset; the complete endpoint works in
// bytes. Completion failures offer nothing: the prompt stays usable.
func (sh *shell) complete(line string, pos int) (string, []string, string) {
	runes := []rune(line)
	if pos < 0 || pos > len(runes) {
		return line, nil, ""
	}
	cursor := len(string(runes[:pos]))
	before := line[:cursor]
	fields := strings.Fields(before)
	atFirstWord := len(fields) == 0 || len(fields) == 1 && !strings.HasSuffix(before, " ")
	if len(fields) >= 1 && fields[0] == "use" && !atFirstWord {
		return sh.completeCluster(line, cursor)
	}
	if sh.Cluster == "" {
		return line, nil, ""
	}
	ctx, cancel := context.WithTimeout(sh.ctx, completeTimeout)
	defer cancel()
	c, err := sh.Client.Complete(ctx, sh.Cluster, line, cursor)
	if err != nil {
		sh.logger.Debug("completion failed", "err", err)
		return line, nil, ""
	}
	if c.From < 0 || c.From > c.To || c.To > len(line) || !utf8.ValidString(line[:c.From]) || !utf8.ValidString(line[c.To:]) {
		return line, nil, ""
	}
	var out []string
	for _, cand := range c.Candidates {
		out = append(out, cand.Text)
	}
	if atFirstWord {
		word := line[c.From:cursor]
		for _, w := range shellWords {
			if strings.HasPrefix(w, word) {
				out = append(out, w)
			}
		}
	}
	return line[:c.From], out, line[c.To:]
}

// completeCluster completes the argument of `use` with the clusters the token may use.
func (sh *shell) completeCluster(line string, cursor int) (string, []string, string) {
	start := strings.LastIndexAny(line[:cursor], " \t") + 1
	end := cursor + strings.IndexAny(line[cursor:]+" ", " \t")
	names, err := sh.clusterNames()
	if err != nil {
		return line, nil, ""
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, line[start:cursor]) {
			out = append(out, n)
		}
	}
	return line[:start], out, line[end:]
}
