package benchrunner

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"golang.org/x/term"

	"github.com/etcd-monitor/etcd-monitor/internal/progressbar"
)

// toolName is how usage and errors name the command, where etcd's say "benchmark".
const toolName = "etcd-monitor bench"

// Exit statuses: etcd's tool exits 255 (os.Exit(-1)) when cobra rejects the command line and 1
// when a command refuses its arguments or fails; 130 is an interrupted run (its partial report
// is printed).
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 255
	exitInterrupted = 130
)

// IO is where the command reads a password prompt's answer and writes its report and messages.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Main runs `etcd-monitor bench ARGS…` as etcd's tool runs `benchmark ARGS…`: the same commands,
// flags (both --flag=value and --flag value), defaults, report and exit statuses, plus
// -w json and --prefix. ctx is cancelled on Ctrl-C: the report so far is printed.
func Main(ctx context.Context, args []string, stdio IO) int {
	name, at := findCommand(args)
	rest := args
	if at >= 0 {
		rest = append(append([]string{}, args[:at]...), args[at+1:]...)
	}
	if name == "help" {
		target := ""
		if len(args) > at+1 {
			target = args[at+1]
		}
		if cmd, ok := commandByName(target); ok {
			fmt.Fprint(stdio.Stdout, commandUsage(cmd))
			return exitOK
		}
		fmt.Fprint(stdio.Stdout, rootUsage())
		return exitOK
	}
	if name == "" {
		// Without a command, etcd's tool prints its help (after checking the flags).
		if err := globalFlagSet(true).Parse(rest); err != nil {
			return usageError(stdio.Stderr, err, rootUsage())
		}
		fmt.Fprint(stdio.Stdout, rootUsage())
		return exitOK
	}
	cmd, ok := commandByName(name)
	if !ok {
		err := fmt.Errorf("unknown command %q for %q", name, toolName)
		fmt.Fprintf(stdio.Stderr, "Error: %v\nRun '%s --help' for usage.\n%v\n", err, toolName, err)
		return exitUsage
	}

	fs := pflag.NewFlagSet(toolName+" "+cmd.Name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = true
	conn := addConnectionFlags(fs)
	addLoadFlags(fs)
	addCommandFlags(fs, cmd)
	help := fs.BoolP("help", "h", false, "help for "+cmd.Name)
	if err := fs.Parse(rest); err != nil {
		return usageError(stdio.Stderr, err, commandUsage(cmd))
	}
	if *help {
		fmt.Fprint(stdio.Stdout, commandUsage(cmd))
		return exitOK
	}
	if n := len(fs.Args()); n < cmd.MinArgs || n > cmd.MaxArgs {
		fmt.Fprint(stdio.Stderr, commandUsage(cmd))
		return exitFailed
	}
	if conn.writeOut != "simple" && conn.writeOut != "json" {
		fmt.Fprintf(stdio.Stderr, "%s: --write-out: must be simple or json, got %q\n", toolName, conn.writeOut)
		return exitFailed
	}

	cfg, err := conn.clientConfig(stdio)
	if err != nil {
		fmt.Fprintf(stdio.Stderr, "%s: %v\n", toolName, err)
		return exitFailed
	}
	flags := make(map[string]string)
	fs.Visit(func(f *pflag.Flag) {
		if isEngineFlag(cmd, f.Name) {
			flags[f.Name] = f.Value.String()
		}
	})
	display := progressbar.New(stdio.Stderr, progressbar.EveryUpdate)
	rep, runErr := Run(ctx, Options{
		Command: cmd.Name, Args: fs.Args(), Flags: flags, Client: cfg, Prefix: conn.prefix,
		Progress: display.Update,
	})
	display.Finish()
	if rep == nil {
		fmt.Fprintf(stdio.Stderr, "%s: %v\n", toolName, runErr)
		return exitFailed
	}
	write := WriteText
	if conn.writeOut == "json" {
		write = WriteJSON
	}
	if err := write(stdio.Stdout, rep); err != nil {
		fmt.Fprintf(stdio.Stderr, "%s: writing the report: %v\n", toolName, err)
		return exitFailed
	}
	switch {
	case runErr != nil:
		fmt.Fprintf(stdio.Stderr, "%s: %v\n", toolName, runErr)
		return exitFailed
	case rep.Partial:
		return exitInterrupted
	}
	return exitOK
}

// usageError prints a flag error as cobra does (error, usage, and the error again from
// etcd's main) and returns its exit status.
func usageError(w io.Writer, err error, usage string) int {
	fmt.Fprintf(w, "Error: %v\n%s\n%v\n", err, usage, err)
	return exitUsage
}

// findCommand returns the first word that is not a flag or a global flag's value, and its
// index (-1 and "" when there is none), as cobra finds the subcommand.
func findCommand(args []string) (string, int) {
	takesValue := map[string]bool{}
	for _, f := range connectionFlagSpecs {
		takesValue[f.Name] = f.Kind != kindBool
	}
	for _, f := range loadFlags {
		takesValue[f.Name] = f.Kind != kindBool
	}
	takesValue["w"] = true
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			if i+1 < len(args) {
				return args[i+1], i + 1
			}
			return "", -1
		case strings.HasPrefix(a, "-") && len(a) > 1:
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] {
				i++
			}
		default:
			return a, i
		}
	}
	return "", -1
}

// connectionFlagSpecs are etcd's global flags that make Options.Client, and ours beside them.
var connectionFlagSpecs = []flagSpec{
	{"endpoints", kindString, "127.0.0.1:2379", "gRPC endpoints"},
	{"cert", kindString, "", "identify HTTPS client using this SSL certificate file"},
	{"key", kindString, "", "identify HTTPS client using this SSL key file"},
	{"cacert", kindString, "", "verify certificates of HTTPS-enabled servers using this CA bundle"},
	{"insecure-skip-tls-verify", kindBool, "false", "skip server certificate verification"},
	{"user", kindString, "", "provide username[:password] and prompt if password is not supplied."},
	{"dial-timeout", kindDuration, "0s", "dial timeout for client connections"},
	{"prefix", kindString, DefaultPrefix, "the dedicated key prefix benchmark keys are written under (etcd-monitor)"},
	{"write-out", kindString, "simple", "set the output format (simple, json) (etcd-monitor)"},
}

type connectionFlags struct {
	endpoints          []string
	cert, key, cacert  string
	insecureSkipVerify bool
	user               string
	dialTimeout        time.Duration
	prefix, writeOut   string
}

func addConnectionFlags(fs *pflag.FlagSet) *connectionFlags {
	c := &connectionFlags{}
	fs.StringSliceVar(&c.endpoints, "endpoints", []string{"127.0.0.1:2379"}, "gRPC endpoints")
	fs.StringVar(&c.cert, "cert", "", connectionFlagSpecs[1].Usage)
	fs.StringVar(&c.key, "key", "", connectionFlagSpecs[2].Usage)
	fs.StringVar(&c.cacert, "cacert", "", connectionFlagSpecs[3].Usage)
	fs.BoolVar(&c.insecureSkipVerify, "insecure-skip-tls-verify", false, connectionFlagSpecs[4].Usage)
	fs.StringVar(&c.user, "user", "", connectionFlagSpecs[5].Usage)
	fs.DurationVar(&c.dialTimeout, "dial-timeout", 0, connectionFlagSpecs[6].Usage)
	fs.StringVar(&c.prefix, "prefix", DefaultPrefix, connectionFlagSpecs[7].Usage)
	fs.StringVarP(&c.writeOut, "write-out", "w", "simple", connectionFlagSpecs[8].Usage)
	return c
}

func addLoadFlags(fs *pflag.FlagSet) {
	for _, f := range loadFlags {
		addSpecFlag(fs, f)
	}
}

func addCommandFlags(fs *pflag.FlagSet, cmd commandSpec) {
	for _, f := range cmd.Flags {
		addSpecFlag(fs, f)
	}
}

// addSpecFlag declares a flag of etcd's with its type and default, so pflag rejects a bad
// value with cobra's message.
func addSpecFlag(fs *pflag.FlagSet, f flagSpec) {
	switch f.Kind {
	case kindInt:
		n, _ := strconv.Atoi(f.Default)
		fs.Int(f.Name, n, f.Usage)
	case kindUint:
		n, _ := strconv.ParseUint(f.Default, 10, 64)
		fs.Uint(f.Name, uint(n), f.Usage)
	case kindFloat:
		x, _ := strconv.ParseFloat(f.Default, 64)
		fs.Float64(f.Name, x, f.Usage)
	case kindBool:
		fs.Bool(f.Name, f.Default == "true", f.Usage)
	case kindDuration:
		d, _ := time.ParseDuration(f.Default)
		fs.Duration(f.Name, d, f.Usage)
	default:
		fs.String(f.Name, f.Default, f.Usage)
	}
}

// isEngineFlag says whether a flag goes to Options.Flags (the others make Options.Client).
func isEngineFlag(cmd commandSpec, name string) bool {
	for _, f := range loadFlags {
		if f.Name == name {
			return true
		}
	}
	for _, f := range cmd.Flags {
		if f.Name == name {
			return true
		}
	}
	return false
}

// clientConfig builds the client configuration as etcd's tool does: TLS when a certificate or
// CA is given, and --user's password prompted for when it is not given after a colon.
func (c *connectionFlags) clientConfig(stdio IO) (clientv3.Config, error) {
	cfg := clientv3.Config{DialTimeout: c.dialTimeout}
	for _, ep := range c.endpoints {
		if ep = strings.TrimSpace(ep); ep != "" {
			cfg.Endpoints = append(cfg.Endpoints, ep)
		}
	}
	if len(cfg.Endpoints) == 0 {
		return cfg, errors.New("--endpoints: no endpoint given")
	}
	tlsInfo := transport.TLSInfo{CertFile: c.cert, KeyFile: c.key, TrustedCAFile: c.cacert, InsecureSkipVerify: c.insecureSkipVerify}
	if !tlsInfo.Empty() || tlsInfo.TrustedCAFile != "" || tlsInfo.InsecureSkipVerify {
		tc, err := tlsInfo.ClientConfig()
		if err != nil {
			return cfg, fmt.Errorf("bad tls config: %w", err)
		}
		cfg.TLS = tc
	}
	if c.user != "" {
		name, password, found := strings.Cut(c.user, ":")
		if !found {
			p, err := readPassword(stdio)
			if err != nil {
				return cfg, fmt.Errorf("--user: reading the password: %w", err)
			}
			password = p
		}
		if name == "" {
			return cfg, errors.New("--user: the user name is empty")
		}
		cfg.Username, cfg.Password = name, password
	}
	return cfg, nil
}

// readPassword prompts on a terminal without echo, and otherwise reads a line of stdin.
func readPassword(stdio IO) (string, error) {
	if f, ok := stdio.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdio.Stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdio.Stderr)
		return string(b), err
	}
	if stdio.Stdin == nil {
		return "", errors.New("no password given and no input to read it from")
	}
	line, err := bufio.NewReader(stdio.Stdin).ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
