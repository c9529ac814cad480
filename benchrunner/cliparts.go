package benchrunner

import (
	"io"

	"github.com/spf13/pflag"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/progressbar"
)

// ConnectionFlags are bench's connection flags (--endpoints, --cert, --key, --cacert,
// --insecure-skip-tls-verify, --user, --dial-timeout, --prefix, -w) for the commands built
// beside it (bench check), so they connect exactly as bench does.
type ConnectionFlags struct{ f *connectionFlags }

// AddConnectionFlags declares the connection flags on fs.
func AddConnectionFlags(fs *pflag.FlagSet) *ConnectionFlags {
	return &ConnectionFlags{f: addConnectionFlags(fs)}
}

// ClientConfig builds the client configuration after fs is parsed (prompting for --user's
// password on stdio when it was not given after a colon).
func (c *ConnectionFlags) ClientConfig(stdio IO) (clientv3.Config, error) {
	return c.f.clientConfig(stdio)
}

// Prefix is --prefix, the dedicated key prefix.
func (c *ConnectionFlags) Prefix() string { return c.f.prefix }

// WriteOut is -w/--write-out: "simple" or "json".
func (c *ConnectionFlags) WriteOut() string { return c.f.writeOut }

// Progress is bench's progress display on w (a bar on a terminal, plain lines otherwise): an
// Options.Progress callback and the function that ends the display before a report prints.
func Progress(w io.Writer) (update func(done, total int64), finish func()) {
	d := progressbar.New(w, progressbar.EveryUpdate)
	return d.Update, d.Finish
}
