package open

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
)

// AddFlags adds --store.dsn, --store.schema and --store.path to cmd.
func AddFlags(cmd *kingpin.CmdClause, cfg *Config) {
	cmd.Flag("store.dsn", "PostgreSQL connection string; keep the password out of it (PGPASSWORD, .pgpass).").
		Envar("ETCD_MONITOR_STORE_DSN").PlaceHolder("DSN").StringVar(&cfg.DSN)
	cmd.Flag("store.schema", "PostgreSQL schema.").PlaceHolder("SCHEMA").StringVar(&cfg.Schema)
	cmd.Flag("store.path", "Embedded store file, used without --store.dsn.").Default(DefaultPath).StringVar(&cfg.Path)
}

// Command is `etcd-monitor store migrate`: the schema migrations as a step
// of their own, run by a role that may create tables, so that the
// components can connect as roles that may not.
type Command struct {
	cmd *kingpin.CmdClause
	cfg Config
	out io.Writer
}

// RegisterCommand adds the store command group to the application.
func RegisterCommand(app *kingpin.Application) *Command {
	c := &Command{out: os.Stdout}
	c.cmd = app.Command("store", "History store administration.")
	migrate := c.cmd.Command("migrate", "Apply the PostgreSQL schema migrations and exit.")
	AddFlags(migrate, &c.cfg)
	return c
}

// Matches reports whether kingpin's chosen command is one of this group's.
func (c *Command) Matches(chosen string) bool {
	return strings.HasPrefix(chosen, c.cmd.FullCommand()+" ")
}

// Run runs the chosen subcommand and returns the exit code.
func (c *Command) Run(ctx context.Context, logger *slog.Logger) int {
	if c.cfg.DSN == "" {
		fmt.Fprintln(os.Stderr, "etcd-monitor store migrate: --store.dsn is required (the embedded store needs no migration step)")
		return 2
	}
	applied, err := postgres.Migrate(ctx, c.cfg.DSN, postgres.Options{Schema: c.cfg.Schema, Logger: logger})
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd-monitor store migrate: %v\n", err)
		return 1
	}
	if len(applied) == 0 {
		fmt.Fprintln(c.out, "store schema is up to date")
		return 0
	}
	fmt.Fprintf(c.out, "applied migrations: %s\n", strings.Join(applied, ", "))
	return 0
}
