package healthcheck

import (
	"context"
	"io"
	"os"

	"github.com/alecthomas/kingpin/v2"
)

// Command is the `etcd-monitor healthcheck` subcommand.
type Command struct {
	cmd  *kingpin.CmdClause
	url  string
	opts Options
	out  io.Writer
}

// RegisterCommand adds the healthcheck subcommand and its flags to the application.
func RegisterCommand(app *kingpin.Application) *Command {
	c := &Command{out: os.Stdout}
	c.cmd = app.Command("healthcheck", "GET a URL and exit 0 on a 2xx answer, 1 otherwise (container health checks; the image has no curl).")
	c.cmd.Flag("timeout", "How long to wait for the answer.").Default("5s").DurationVar(&c.opts.Timeout)
	c.cmd.Flag("basic-auth.username", "Basic auth user to send (a server whose web config authenticates every request, such as the diskprobe agent).").
		PlaceHolder("USER").StringVar(&c.opts.Username)
	c.cmd.Flag("basic-auth.password-file", "File holding the basic auth password (read at each check; never on the command line).").
		PlaceHolder("FILE").StringVar(&c.opts.PasswordFile)
	c.cmd.Arg("url", "URL to GET, such as http://127.0.0.1:9980/-/healthy.").Required().StringVar(&c.url)
	return c
}

// FullCommand is the name kingpin reports when this subcommand was chosen.
func (c *Command) FullCommand() string { return c.cmd.FullCommand() }

// Run checks the URL and returns the process exit code.
func (c *Command) Run(ctx context.Context) int { return Check(ctx, c.url, c.opts, c.out) }
