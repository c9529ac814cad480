package ctl

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/alecthomas/kingpin/v2"
	"golang.org/x/term"
)

// Command is `etcd-monitor ctl`, or the whole of `etcd-monitor-ctl`.
type Command struct {
	app *kingpin.Application
	// cmd is the ctl command; nil when ctl is the application itself (RegisterStandalone).
	cmd *kingpin.CmdClause
	cfg Config
	// words are etcdctl's words, taken out of the arguments by Split; parsed are those kingpin
	// parsed itself, when the arguments were not split (they hold no flag then).
	words, parsed []string
}

// commandHelp is ctl's description in --help.
const commandHelp = "Run etcdctl commands through opsproxy (roles and audit): one command as etcdctl would, or an interactive shell with none."

// RegisterCommand adds `ctl` to app. Its own flags come before the command words; from the
// first word on, everything is etcdctl's and reaches the console untouched (see Split).
func RegisterCommand(app *kingpin.Application) *Command {
	c := &Command{app: app, cmd: app.Command("ctl", commandHelp)}
	c.define(c.cmd.Flag, c.cmd.Arg)
	return c
}

// RegisterStandalone makes app itself ctl, with ctl's flags as the application's: the
// `etcd-monitor-ctl` binary, which links nothing but the client side and so starts as fast as
// etcdctl does (docs/performance.md, "ctl one-shot").
func RegisterStandalone(app *kingpin.Application) *Command {
	c := &Command{app: app}
	c.define(app.Flag, app.Arg)
	return c
}

// define declares ctl's flags and its command-words argument with flag and arg.
func (c *Command) define(flag func(name, help string) *kingpin.FlagClause, arg func(name, help string) *kingpin.ArgClause) {
	flag("url", "opsproxy's URL.").Envar("ETCD_MONITOR_URL").PlaceHolder("URL").StringVar(&c.cfg.URL)
	flag("token-file", "File holding the opsproxy token (else the token is read from $"+TokenEnv+"; never from a flag, which `ps` shows).").
		Envar("ETCD_MONITOR_TOKEN_FILE").PlaceHolder("FILE").StringVar(&c.cfg.TokenFile)
	flag("cacert", "CA certificate (PEM) to check opsproxy's certificate with.").Envar("ETCD_MONITOR_CACERT").PlaceHolder("FILE").StringVar(&c.cfg.CACert)
	flag("cert", "Client certificate (PEM) for opsproxy.").Envar("ETCD_MONITOR_CERT").PlaceHolder("FILE").StringVar(&c.cfg.Cert)
	flag("key", "Client certificate's key (PEM).").Envar("ETCD_MONITOR_KEY").PlaceHolder("FILE").StringVar(&c.cfg.Key)
	flag("insecure-skip-tls-verify", "Do not check opsproxy's certificate.").Envar("ETCD_MONITOR_INSECURE_SKIP_TLS_VERIFY").BoolVar(&c.cfg.InsecureSkipTLSVerify)
	flag("cluster", "Cluster to run commands on (default: the only one the token may use).").Envar("ETCD_MONITOR_CLUSTER").StringVar(&c.cfg.Cluster)
	flag("timeout", "Bound on each request to opsproxy (not the snapshot download).").Default(defaultTimeout.String()).DurationVar(&c.cfg.Timeout)
	arg("command", "etcdctl's command and its flags, e.g. get /foo --prefix -w json (none: the interactive shell).").StringsVar(&c.parsed)
}

// Matches reports whether the parsed command is ctl (for a standalone ctl: no command).
func (c *Command) Matches(chosen string) bool {
	if c.cmd == nil {
		return chosen == ""
	}
	return chosen == c.cmd.FullCommand()
}

// Split takes etcdctl's words out of args before kingpin parses them, since kingpin would
// refuse etcdctl's flags (--prefix, -w json). After "ctl" (from the start for a standalone
// ctl), ctl's own flags are kept for kingpin up to the first word that is not one of them: a
// command word, "--" (dropped; it ends ctl's flags explicitly), or a flag ctl does not have
// (etcdctl's -w before the command). From there on, every word is etcdctl's, "--" included.
// Call it after every command is registered, and parse what it returns.
func (c *Command) Split(args []string) []string {
	appFlags := c.app.Model().Flags
	start, own := 0, appFlags
	if c.cmd != nil {
		at := commandIndex(args, appFlags, c.cmd.FullCommand())
		if at < 0 {
			return args
		}
		start, own = at+1, c.cmd.Model().Flags
	}
	for i := start; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			c.words = append([]string(nil), args[i+1:]...)
			return args[:i]
		}
		fl, takesValue := lookupFlag(a, own, appFlags)
		if fl == "" {
			c.words = append([]string(nil), args[i:]...)
			return args[:i]
		}
		if takesValue {
			i++
		}
	}
	return args
}

// commandIndex is the index of the command name in args, skipping the application's flags and
// their values; -1 when the first positional word is another command.
func commandIndex(args []string, appFlags []*kingpin.FlagModel, name string) int {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return -1
		}
		if strings.HasPrefix(a, "-") {
			if _, takesValue := lookupFlag(a, appFlags); takesValue {
				i++
			}
			continue
		}
		if a == name {
			return i
		}
		return -1
	}
	return -1
}

// lookupFlag finds the flag word a names among groups (long --name, --name=value, or short
// -x); it returns its name, and whether the next word is its value.
func lookupFlag(a string, groups ...[]*kingpin.FlagModel) (string, bool) {
	if !strings.HasPrefix(a, "-") || a == "-" {
		return "", false
	}
	long := strings.HasPrefix(a, "--")
	name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
	for _, group := range groups {
		for _, f := range group {
			switch {
			case long && (f.Name == name || f.IsBoolFlag() && name == "no-"+f.Name):
			case !long && len(name) == 1 && f.Short == rune(name[0]):
			default:
				continue
			}
			return f.Name, !hasValue && !f.IsBoolFlag()
		}
	}
	return "", false
}

// Run runs ctl: the shell when no command words were given and stdin is a terminal, else one
// command.
func (c *Command) Run(ctx context.Context, logger *slog.Logger) int {
	if len(c.words) == 0 {
		c.words = c.parsed
	}
	stdinTerminal := term.IsTerminal(int(os.Stdin.Fd()))
	if len(c.words) == 0 && !stdinTerminal {
		fmt.Fprintln(os.Stderr, "Error: no command: give etcdctl's command words (etcd-monitor ctl get /foo), or run ctl on a terminal for its shell")
		return ExitBadArgs
	}
	c.cfg.Token = os.Getenv(TokenEnv)
	client, err := NewClient(c.cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return ExitError
	}
	s := &Session{Client: client, Cluster: c.cfg.Cluster, Stdin: os.Stdin, StdinIsTerminal: stdinTerminal, Stdout: os.Stdout, Stderr: os.Stderr}
	if len(c.words) == 0 {
		return s.Shell(ctx, logger)
	}
	if s.Cluster == "" {
		if s.Cluster, err = client.DefaultCluster(ctx); err != nil {
			return s.fail(err)
		}
	}
	return s.RunOnce(ctx, c.words)
}
