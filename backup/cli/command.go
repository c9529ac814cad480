package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// Exit codes: a failed operation (a backup that does not verify, a location that cannot be
// read) is 1; a bad argument or configuration is 2.
const (
	exitFailed = 1
	exitUsage  = 2
)

// Command is `etcd-monitor backup` and its subcommands.
type Command struct {
	cmd        *kingpin.CmdClause
	selected   string
	configFile string
	location   string
	cluster    string
	scratchDir string
	name       string
	writeOut   string

	// recover
	token          string
	members        []string
	initialCluster string
	bumpRevision   uint64
	markCompacted  bool
	// download
	out string

	stdout, stderr io.Writer
}

// RegisterCommand adds the backup command group to the application.
func RegisterCommand(app *kingpin.Application) *Command {
	c := &Command{stdout: os.Stdout, stderr: os.Stderr}
	c.cmd = app.Command("backup", "Work on backup locations: list, verify, recover a whole cluster, download (reads opsproxy's configuration; needs neither opsproxy nor its store).")
	c.cmd.Flag("config.file", "opsproxy configuration file, for its backups section (locations and encryption keys).").
		Default("opsproxy.yml").StringVar(&c.configFile)
	c.cmd.Flag("scratch.dir", "Directory for plaintext read-backs of encrypted or remote backups (default: the configuration's backups.scratch_dir).").
		PlaceHolder("DIR").StringVar(&c.scratchDir)
	c.cmd.Flag("write-out", "Output format: text or json (list: the backups as opsproxy's backups API lists them; verify, recover, download: the engine's record).").
		Short('w').Default(writeOutText).StringVar(&c.writeOut)

	locFlags := func(cc *kingpin.CmdClause) {
		cc.Flag("location", "Backup location, by its name in backups.locations.").Required().PlaceHolder("NAME").StringVar(&c.location)
		cc.Flag("cluster", "Only this cluster's backups (the name prefix configured for it in that location).").PlaceHolder("NAME").StringVar(&c.cluster)
	}
	list := c.cmd.Command("list", "List the backups in a location, newest first.").Action(c.choose("list"))
	locFlags(list)

	verify := c.cmd.Command("verify", "Read a backup back and check it: sha256, etcd's integrity hash and snapshot status (exit 1 when it fails).").Action(c.choose("verify"))
	locFlags(verify)
	verify.Arg("name", "Backup name.").Required().StringVar(&c.name)

	rec := c.cmd.Command("recover", "Disaster recovery: write a new data directory for every member of a new cluster from one backup, and print how to start each member.").Action(c.choose("recover"))
	locFlags(rec)
	rec.Arg("name", "Backup name.").Required().StringVar(&c.name)
	rec.Flag("token", "The new cluster's --initial-cluster-token.").Required().StringVar(&c.token)
	rec.Flag("member", "A member of the new cluster: name=NAME,peer-urls=URL[,URL…],data-dir=DIR (repeat for every member; the data directory must not exist).").
		Required().PlaceHolder("name=m0,peer-urls=https://10.0.0.1:2380,data-dir=/var/lib/etcd-new").StringsVar(&c.members)
	rec.Flag("initial-cluster", "The whole new cluster, name=peer-url,…, when --member gives only some of its members (the others written on their own hosts by the same command); default: the --member list.").
		PlaceHolder("m0=https://10.0.0.1:2380,…").StringVar(&c.initialCluster)
	rec.Flag("bump-revision", "etcdutl's --bump-revision: raise every revision by this much (with --mark-compacted; for clusters that serve Kubernetes).").
		Uint64Var(&c.bumpRevision)
	rec.Flag("mark-compacted", "etcdutl's --mark-compacted: mark the revisions before the bump compacted (needs --bump-revision).").BoolVar(&c.markCompacted)

	dl := c.cmd.Command("download", "Write a backup's etcd snapshot (decrypted) to a file, atomically, and print its sha256.").Action(c.choose("download"))
	locFlags(dl)
	dl.Arg("name", "Backup name.").Required().StringVar(&c.name)
	dl.Flag("out", "The file to write; it must not exist.").Required().PlaceHolder("FILE").StringVar(&c.out)
	return c
}

func (c *Command) choose(name string) kingpin.Action {
	return func(*kingpin.ParseContext) error {
		c.selected = name
		return nil
	}
}

// Matches reports whether kingpin's chosen command is one of this group's.
func (c *Command) Matches(chosen string) bool {
	return chosen == c.cmd.FullCommand() || strings.HasPrefix(chosen, c.cmd.FullCommand()+" ")
}

// usageError is a bad argument or configuration: exit 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Run runs the chosen subcommand and returns the process exit code.
func (c *Command) Run(ctx context.Context, logger *slog.Logger) int {
	code, err := c.run(ctx, logger)
	if err != nil {
		fmt.Fprintf(c.stderr, "etcd-monitor backup %s: %v\n", c.selected, err)
		var u usageError
		if errors.As(err, &u) {
			return exitUsage
		}
		return exitFailed
	}
	return code
}

func (c *Command) run(ctx context.Context, logger *slog.Logger) (int, error) {
	if err := c.checkWriteOut(); err != nil {
		return 0, err
	}
	if c.selected != "list" && !plainName(c.name) {
		return 0, usagef("NAME %.80q: not a backup name (a plain file name, as `backup list` shows it)", c.name)
	}
	switch c.selected {
	case "list":
		return c.list(ctx, logger)
	case "verify":
		return c.verify(ctx, logger)
	case "recover":
		return c.recover(ctx, logger)
	case "download":
		return c.download(ctx, logger)
	}
	return exitUsage, usagef("choose a subcommand: list, verify, recover or download")
}

// engine reads the configuration file and makes the engine of the chosen location (and cluster);
// external says whether another tool fills the location.
func (c *Command) engine(logger *slog.Logger) (e *backup.Engine, external bool, err error) {
	cfg, err := opsproxy.LoadConfig(c.configFile)
	if err != nil {
		return nil, false, usagef("--config.file %s: %w", c.configFile, err)
	}
	b := cfg.Backups
	loc, ok := b.LocationByName(c.location)
	if !ok {
		var names []string
		for _, l := range b.Locations {
			names = append(names, l.Name)
		}
		return nil, false, usagef("--location %q: no such location in backups.locations of %s (have: %s)", c.location, c.configFile, listOrNone(names))
	}
	t, ok := b.Target(c.cluster, c.location)
	switch {
	case c.cluster != "" && !ok:
		return nil, false, usagef("--cluster %q: not configured with location %s in backups.clusters of %s", c.cluster, c.location, c.configFile)
	case c.cluster == "":
		// Every backup in the location, whoever made it: an empty prefix.
		empty := ""
		t.Prefix = &empty
	}
	scratch := c.scratchDir
	if scratch == "" {
		scratch = b.ScratchDir
	}
	// Listing reads no backup: no scratch directory to make.
	if c.selected != "list" {
		if err := os.MkdirAll(scratch, 0o700); err != nil {
			return nil, false, usagef("scratch directory %s: %w", scratch, err)
		}
	}
	ecfg := loc.Engine(c.cluster, t, scratch)
	ecfg.Logger = logger
	e, err = backup.New(ecfg)
	if err != nil {
		return nil, false, fmt.Errorf("location %s: %w", c.location, err)
	}
	return e, loc.External, nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// plainName is what the locations accept as a backup's name: a file name, never a path or a
// hidden (temporary) file.
func plainName(name string) bool {
	return name != "" && !strings.HasPrefix(name, ".") && !strings.ContainsAny(name, `/\`) && len(name) <= 255
}
