package console

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-shellwords"
	"github.com/spf13/pflag"
)

// MaxLineBytes bounds a console request's line, its stdin lines included: a command line and a
// transaction of a few hundred requests fit, and a put value is bounded by etcd's own request
// limit (checked when it runs) well below it.
const MaxLineBytes = 2 << 20

// Invocation is a parsed console line: the command it names, its flags and arguments, and the
// lines after the first, which etcdctl would read from stdin.
type Invocation struct {
	Cmd *Command
	// Path is the command's name with its group: "get", "lease grant".
	Path  string
	Flags *pflag.FlagSet
	Args  []string
	// Words are the first line's words, as the shell-words parser split them.
	Words []string
	// Stdin is the text after the first line, as etcdctl would read it from its standard
	// input; StdinLines is the same split into lines.
	Stdin      string
	StdinLines []string
	// Format is -w (simple, json, table or fields); Hex is --hex.
	Format  string
	Hex     bool
	Timeout time.Duration
}

// Parse splits line (a command line, then stdin lines) and parses it with etcdctl's grammar.
// Errors carry etcdctl's exit code and answer 400.
func Parse(line string) (*Invocation, error) {
	first, rest, _ := strings.Cut(line, "\n")
	first = strings.TrimSuffix(first, "\r")
	words, err := splitWords(first)
	if err != nil {
		return nil, err
	}
	if len(words) == 0 {
		return nil, badRequest(ExitError, "line: empty; type an etcdctl command such as: get /foo --prefix")
	}
	if strings.HasPrefix(words[0], "-") {
		return nil, badRequest(ExitError, "line: starts with the flag %s: the command comes first (such as: get /foo %s)", words[0], words[0])
	}
	cmd, n := Lookup(words)
	if cmd == nil {
		return nil, badRequest(ExitError, "unknown command %q for %q", words[0], "etcdctl")
	}
	path := strings.Join(words[:n], " ")
	if len(cmd.Sub) > 0 {
		if len(words) > n && !strings.HasPrefix(words[n], "-") {
			return nil, badRequest(ExitError, "unknown command %q for %q", words[n], "etcdctl "+path)
		}
		names := make([]string, len(cmd.Sub))
		for i, s := range cmd.Sub {
			names[i] = s.Name
		}
		return nil, badRequest(ExitError, "%s needs a subcommand: %s", path, strings.Join(names, ", "))
	}
	inv := &Invocation{Cmd: cmd, Path: path, Words: words}
	if rest != "" {
		inv.Stdin = rest
		inv.StdinLines = strings.Split(strings.ReplaceAll(rest, "\r\n", "\n"), "\n")
	}
	if err := inv.parseFlags(words[n:], GlobalFlags); err != nil {
		return nil, err
	}
	return inv, nil
}

// parseRequest parses one of txn's requests (get, put or del, with their own flags only, as
// etcdctl parses them).
func parseRequest(words []string) (*Invocation, error) {
	cmd, n := Lookup(words)
	if cmd == nil || n != 1 || (cmd.Name != "get" && cmd.Name != "put" && cmd.Name != "del") {
		return nil, errNotARequest
	}
	inv := &Invocation{Cmd: cmd, Path: cmd.Name, Words: words, Format: "simple", Timeout: time.Second}
	fs := pflag.NewFlagSet(cmd.Name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	for _, f := range cmd.Flags {
		defineFlag(fs, f)
	}
	if err := fs.Parse(words[1:]); err != nil {
		return nil, errNotARequest
	}
	inv.Flags, inv.Args = fs, fs.Args()
	return inv, nil
}

// errNotARequest is a txn line that is no get, put or del etcdctl would parse.
var errNotARequest = errors.New("not a txn request")

// splitWords splits the first line as a shell would, without expansions, and names what
// keeps it from being split.
func splitWords(line string) ([]string, error) {
	p := shellwords.NewParser()
	p.ParseEnv, p.ParseBacktick = false, false
	words, err := p.Parse(line)
	if err != nil {
		if q := unbalancedQuote(line); q != 0 {
			return nil, badRequest(ExitError, "line: unbalanced quotes: a %c is never closed", q)
		}
		return nil, badRequest(ExitError, "line: an unquoted ( ) or ` (quote the word that contains it), or a trailing \\")
	}
	if p.Position >= 0 {
		if strings.Contains(line, "<redacted ") {
			// A line recalled from history, its value replaced by its size: running it would
			// store the placeholder.
			return nil, badRequest(ExitError, "line: holds a <redacted N bytes> placeholder from history: type the value again")
		}
		r := []rune(line)[p.Position]
		return nil, badRequest(ExitError, "line: an unquoted %q: the console runs one command without redirections or pipes (quote the word that contains it)", r)
	}
	return words, nil
}

// unbalancedQuote returns the quote character left open in line, or 0.
func unbalancedQuote(line string) rune {
	var open rune
	escaped := false
	for _, r := range line {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && open != '\'':
			escaped = true
		case open == 0 && (r == '"' || r == '\'' || r == '`'):
			open = r
		case open == r:
			open = 0
		}
	}
	return open
}

// parseFlags parses the words after the command's name with the command's flags and the
// console's global flags, spelled as etcdctl spells them.
func (inv *Invocation) parseFlags(words []string, globals []Flag) error {
	for _, w := range words {
		if w == "--" {
			break
		}
		name, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
		if strings.HasPrefix(w, "--") && slices.Contains(RefusedGlobalFlags, name) {
			return badRequest(ExitError, "flag --%s: not available in the console: opsproxy connects to the cluster with its own configuration", name)
		}
	}
	fs := pflag.NewFlagSet(inv.Path, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	for _, f := range slices.Concat(inv.Cmd.Flags, globals) {
		defineFlag(fs, f)
	}
	if err := fs.Parse(words); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return badRequest(ExitError, "help: not shown in the console; usage: %s (see docs/console.md)", inv.Cmd.Usage)
		}
		// pflag's messages are cobra's: "unknown flag: --foo", "invalid argument ...".
		return badRequest(ExitError, "%s", err.Error())
	}
	inv.Flags, inv.Args = fs, fs.Args()
	inv.Format, _ = fs.GetString("write-out")
	inv.Hex, _ = fs.GetBool("hex")
	inv.Timeout, _ = fs.GetDuration("command-timeout")
	switch inv.Format {
	case "simple", "json", "table", "fields":
	default:
		return badRequest(ExitBadFeature, "unsupported output format")
	}
	if inv.Timeout <= 0 {
		return badRequest(ExitBadArgs, "--command-timeout: must be positive")
	}
	return nil
}

// defineFlag adds f to fs with its kind, default and shorthand.
func defineFlag(fs *pflag.FlagSet, f Flag) {
	switch f.Kind {
	case FlagBool:
		fs.BoolP(f.Name, f.Short, f.Default == "true", f.Usage)
	case FlagInt:
		var def int64
		_, _ = fmt.Sscan(f.Default, &def)
		fs.Int64P(f.Name, f.Short, def, f.Usage)
	case FlagDuration:
		def, _ := time.ParseDuration(f.Default)
		fs.DurationP(f.Name, f.Short, def, f.Usage)
	default:
		fs.StringP(f.Name, f.Short, f.Default, f.Usage)
	}
}

// Bool reads a boolean flag the grammar defines for the command (Int, String and Duration
// read the other kinds).
func (inv *Invocation) Bool(name string) bool {
	v, _ := inv.Flags.GetBool(name)
	return v
}

// Int reads an integer flag.
func (inv *Invocation) Int(name string) int64 {
	v, _ := inv.Flags.GetInt64(name)
	return v
}

// String reads a string flag.
func (inv *Invocation) String(name string) string {
	v, _ := inv.Flags.GetString(name)
	return v
}

// Duration reads a duration flag.
func (inv *Invocation) Duration(name string) time.Duration {
	v, _ := inv.Flags.GetDuration(name)
	return v
}
