package auditseal

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/model"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/internal/store/open"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
)

// Command is `etcd-monitor audit`: keygen, verify and prune.
type Command struct {
	cmd      *kingpin.CmdClause
	selected string
	out      io.Writer
	errOut   io.Writer

	keyOut      string
	store       open.Config
	publicKey   string
	signingKey  string
	witnessFile string
	keep        model.Duration
	lockTimeout time.Duration
}

// RegisterCommand adds the audit command group to the application.
func RegisterCommand(app *kingpin.Application) *Command {
	c := &Command{out: os.Stdout, errOut: os.Stderr}
	c.cmd = app.Command("audit", "Audit log sealing: signing keys, verification, retention.")

	keygen := c.cmd.Command("keygen", "Write a new Ed25519 signing key (mode 0600) and its public key (<out>.pub).").
		Action(c.choose("keygen"))
	keygen.Flag("out", "Private key file to create.").Required().PlaceHolder("FILE").StringVar(&c.keyOut)

	verify := c.cmd.Command("verify", "Verify records, chain, signed checkpoints and the witness; exit 1 on any problem.").
		Action(c.choose("verify"))
	open.AddFlags(verify, &c.store)
	verify.Flag("public-key", "Public key of the signing key (keygen's <out>.pub).").Required().PlaceHolder("FILE").StringVar(&c.publicKey)
	verify.Flag("witness.file", "Witness file to check the store against.").PlaceHolder("FILE").StringVar(&c.witnessFile)
	verify.Flag("store.lock-timeout", "How long to wait for an embedded store file another process has open.").
		Default("2s").DurationVar(&c.lockTimeout)

	prune := c.cmd.Command("prune", "Remove audit records older than --keep, signing the new retention anchor first.").
		Action(c.choose("prune"))
	open.AddFlags(prune, &c.store)
	prune.Flag("keep", "Keep records younger than this, such as 90d.").Required().SetValue(&c.keep)
	prune.Flag("signing-key", "Signing key file.").Required().PlaceHolder("FILE").StringVar(&c.signingKey)
	prune.Flag("witness.file", "Witness file the anchor checkpoint is appended to.").Required().PlaceHolder("FILE").StringVar(&c.witnessFile)
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
	return strings.HasPrefix(chosen, c.cmd.FullCommand()+" ")
}

// Run runs the chosen subcommand and returns the exit code.
func (c *Command) Run(ctx context.Context, logger *slog.Logger) int {
	var code int
	var err error
	switch c.selected {
	case "keygen":
		code, err = c.keygen()
	case "verify":
		code, err = c.verify(ctx, logger)
	case "prune":
		code, err = c.prune(ctx, logger)
	}
	if err != nil {
		fmt.Fprintf(c.errOut, "etcd-monitor audit %s: %v\n", c.selected, err)
	}
	return code
}

func (c *Command) keygen() (int, error) {
	pub, err := GenerateKey(c.keyOut)
	if err != nil {
		return 1, err
	}
	pemPub, err := EncodePublicKey(pub)
	if err != nil {
		return 1, err
	}
	fmt.Fprintf(c.out, "signing key written to %s (keep it off the database host's reach); key id %s\npublic key written to %s.pub:\n%s",
		c.keyOut, KeyID(pub), c.keyOut, pemPub)
	return 0, nil
}

// openStore opens the store; the embedded file read-only, so that it can be
// verified beside a stopped opsproxy without changing it.
func (c *Command) openStore(ctx context.Context, logger *slog.Logger, readOnly bool) (store.Store, error) {
	if c.store.DSN != "" {
		return postgres.Open(ctx, c.store.DSN, postgres.Options{Schema: c.store.Schema, Logger: logger})
	}
	st, err := bolt.Open(c.store.Path, bolt.Options{ReadOnly: readOnly, LockTimeout: c.lockTimeout})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("%w\nthe embedded store is open in a running opsproxy (bbolt locks the whole file): "+
			"verify through its API, GET /api/v1/audit/verify, or stop it first", err)
	case err != nil:
		return nil, err
	}
	return st, nil
}

func (c *Command) verify(ctx context.Context, logger *slog.Logger) (int, error) {
	pub, err := LoadPublicKey(c.publicKey)
	if err != nil {
		return 1, err
	}
	st, err := c.openStore(ctx, logger, true)
	if err != nil {
		return 1, err
	}
	defer st.Close()
	var ws []WitnessReader
	if c.witnessFile != "" {
		ws = append(ws, FileWitnessReader(c.witnessFile))
	}
	return VerifyAndReport(ctx, st, pub, ws, c.out), nil
}

// VerifyAndReport runs Verify and writes its report to out; it returns the
// exit code of a verify command: 0 intact, 1 not (or not verifiable).
func VerifyAndReport(ctx context.Context, st SealedStore, pub ed25519.PublicKey, witnesses []WitnessReader, out io.Writer) int {
	r, err := Verify(ctx, st, pub, witnesses...)
	if err != nil {
		fmt.Fprintf(out, "audit log could not be verified: %v\n", err)
		return 1
	}
	return WriteReport(out, r)
}

// VerifyConfigured verifies st with the public half of cfg's signing key
// and cfg's witnesses, writes the report to out and returns the exit code.
// It is what a component's own verify command runs when sealing is
// configured.
func VerifyConfigured(ctx context.Context, st SealedStore, cfg Config, out io.Writer) int {
	signer, err := LoadSigner(cfg.SigningKeyFile)
	if err != nil {
		fmt.Fprintf(out, "audit log could not be verified: %v\n", err)
		return 1
	}
	var ws []WitnessReader
	if cfg.Witness.File != "" {
		ws = append(ws, FileWitnessReader(cfg.Witness.File))
	}
	if cfg.Witness.Etcd != nil {
		w, err := OpenEtcdWitness(*cfg.Witness.Etcd)
		if err != nil {
			fmt.Fprintf(out, "audit log could not be verified: %v\n", err)
			return 1
		}
		defer w.Close()
		ws = append(ws, w)
	}
	return VerifyAndReport(ctx, st, signer.Public(), ws, out)
}

func (c *Command) prune(ctx context.Context, logger *slog.Logger) (int, error) {
	if c.keep <= 0 {
		return 2, errors.New("--keep: must be greater than 0")
	}
	signer, err := LoadSigner(c.signingKey)
	if err != nil {
		return 1, err
	}
	w, err := OpenFileWitness(c.witnessFile)
	if err != nil {
		return 1, err
	}
	defer w.Close()
	st, err := c.openStore(ctx, logger, false)
	if err != nil {
		return 1, err
	}
	defer st.Close()
	res, err := NewSealer(st, signer, w).PruneAudit(ctx, time.Now().Add(-time.Duration(c.keep)))
	if err != nil {
		return 1, err
	}
	fmt.Fprintf(c.out, "removed %d audit records; the retention anchor is record %d, signed\n", res.Removed, res.Anchor.Seq)
	return 0, nil
}
