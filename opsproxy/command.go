package opsproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/model"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/etcd-monitor/etcd-monitor/internal/auditseal"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/open"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobqueue"
)

// Command is the `etcd-monitor opsproxy` subcommand and its own subcommands: `serve` (the
// default), `verify-audit`, and `token create|list|revoke`, which work on the store the
// configuration file names.
type Command struct {
	cmd        *kingpin.CmdClause
	configFile string
	selected   string
	out        io.Writer

	configCheck bool
	webFlags    *web.FlagConfig

	verifyURL       string
	verifyTokenFile string

	tokName      string
	tokRole      string
	tokClusters  []string
	tokPrefixes  []string
	tokActsFor   bool
	tokExpiresIn string
	tokID        string
}

// RegisterCommand adds the opsproxy subcommand and its flags to the application.
func RegisterCommand(app *kingpin.Application) *Command {
	c := &Command{out: os.Stdout}
	c.cmd = app.Command("opsproxy", "REST API for etcd operations, with RBAC and a tamper-evident audit log.")
	c.cmd.Flag("config.file", "opsproxy configuration file.").Default("opsproxy.yml").StringVar(&c.configFile)

	serve := c.cmd.Command("serve", "Serve the API (the default).").Default().Action(c.choose("serve"))
	serve.Flag("config.check", "Check the configuration file and exit.").BoolVar(&c.configCheck)
	c.webFlags = kingpinflag.AddFlags(serve, ":9980")

	verify := c.cmd.Command("verify-audit", "Verify the audit log's hash chain (and its signed checkpoints when sealed); exit 1 at the first altered or missing record.").
		Action(c.choose("verify-audit"))
	verify.Flag("url", "Verify through the running opsproxy at this address (needed for the embedded store while opsproxy runs).").
		PlaceHolder("http://127.0.0.1:9980").StringVar(&c.verifyURL)
	verify.Flag("token.file", "File with an admin token, for --url.").StringVar(&c.verifyTokenFile)

	tok := c.cmd.Command("token", "Manage API tokens in the store.")
	create := tok.Command("create", "Create a token and print its secret (shown once).").Action(c.choose("token-create"))
	create.Flag("name", "Token name, recorded as the user in the audit log.").Required().StringVar(&c.tokName)
	create.Flag("role", "viewer, editor or admin.").Required().EnumVar(&c.tokRole, "viewer", "editor", "admin")
	create.Flag("cluster", "Limit the token to this cluster (repeatable).").StringsVar(&c.tokClusters)
	create.Flag("key-prefix", "Limit writes to keys under this prefix (repeatable).").StringsVar(&c.tokPrefixes)
	create.Flag("acts-for-users", "Service token of the Grafana app, which may pass the Grafana user and role.").BoolVar(&c.tokActsFor)
	create.Flag("expires-in", "Lifetime, such as 720h or 90d (default: no expiry).").StringVar(&c.tokExpiresIn)
	tok.Command("list", "List tokens (never their secrets).").Action(c.choose("token-list"))
	revoke := tok.Command("revoke", "Revoke a token.").Action(c.choose("token-revoke"))
	revoke.Arg("id", "Token id.").Required().StringVar(&c.tokID)
	return c
}

func (c *Command) choose(name string) kingpin.Action {
	return func(*kingpin.ParseContext) error {
		c.selected = name
		return nil
	}
}

// FullCommand is "opsproxy"; the command kingpin reports is one of its subcommands
// ("opsproxy serve", ...), so use Matches.
func (c *Command) FullCommand() string { return c.cmd.FullCommand() }

// Matches reports whether kingpin's chosen command is this one or one of its subcommands.
func (c *Command) Matches(chosen string) bool {
	return chosen == c.cmd.FullCommand() || strings.HasPrefix(chosen, c.cmd.FullCommand()+" ")
}

// Run runs the chosen subcommand and returns the process exit code.
func (c *Command) Run(ctx context.Context, logger *slog.Logger) int {
	// Verifying through a running opsproxy needs only its address and a token, not its
	// configuration file, which may live on another host.
	if c.selected == "verify-audit" && c.verifyURL != "" {
		if c.verifyTokenFile == "" {
			fmt.Fprintln(os.Stderr, "etcd-monitor opsproxy: --token.file: required with --url")
			return 1
		}
		return VerifyAuditThrough(ctx, c.verifyURL, c.verifyTokenFile, c.out)
	}
	cfg, err := LoadConfig(c.configFile)
	if err != nil {
		logger.Error("invalid configuration", "file", c.configFile, "err", err)
		fmt.Fprintf(os.Stderr, "etcd-monitor opsproxy: %v\n", err)
		return 1
	}
	switch c.selected {
	case "verify-audit", "token-create", "token-list", "token-revoke":
		return c.runStoreCommand(ctx, cfg, logger)
	}
	if c.configCheck {
		fmt.Fprintf(c.out, "%s: OK, %d cluster(s)\n", c.configFile, len(cfg.Clusters))
		return 0
	}
	jobqueue.RouteRedisLog(logger)
	srv, err := New(ctx, cfg, logger, Options{ConfigFile: c.configFile})
	if err != nil {
		logger.Error("cannot start", "err", err)
		return 1
	}
	defer srv.Close()
	logger.Info("starting etcd-monitor opsproxy", "version", version.Info(), "clusters", len(cfg.Clusters))
	if err := Serve(ctx, srv, c.webFlags, logger); err != nil {
		logger.Error("server stopped", "err", err)
		return 1
	}
	return 0
}

// lockedStoreAdvice says how to do what the command wanted while opsproxy holds the embedded store.
func lockedStoreAdvice(command string) string {
	if command == "verify-audit" {
		return "verify through it with --url and --token.file, or stop it first"
	}
	return "manage tokens through its API (/api/v1/tokens, with an admin token), or stop it first"
}

func (c *Command) runStoreCommand(ctx context.Context, cfg *Config, logger *slog.Logger) int {
	st, err := open.Store(ctx, cfg.Store, logger)
	if errors.Is(err, bolterrors.ErrTimeout) {
		fmt.Fprintf(os.Stderr, "etcd-monitor opsproxy: %v\nthe embedded store is open in a running opsproxy (bbolt locks the whole file): %s\n",
			err, lockedStoreAdvice(c.selected))
		return 1
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd-monitor opsproxy: %v\n", err)
		return 1
	}
	defer st.Close()
	switch c.selected {
	case "verify-audit":
		if cfg.Audit.Seal.Enabled() {
			return auditseal.VerifyConfigured(ctx, st, cfg.Audit.Seal, c.out)
		}
		return VerifyAudit(ctx, st, c.out)
	case "token-create":
		spec := TokenSpec{Name: c.tokName, Role: c.tokRole, Clusters: c.tokClusters, KeyPrefixes: c.tokPrefixes,
			ActsForUsers: c.tokActsFor, CreatedBy: "cli"}
		if c.tokExpiresIn != "" {
			d, err := model.ParseDuration(c.tokExpiresIn)
			if err != nil || d <= 0 {
				fmt.Fprintln(os.Stderr, "etcd-monitor opsproxy: --expires-in: want a positive duration such as 720h or 90d")
				return 1
			}
			spec.ExpiresAt = time.Now().Add(time.Duration(d))
		}
		for _, name := range spec.Clusters {
			if _, ok := cfg.Clusters.Get(name); !ok {
				fmt.Fprintf(os.Stderr, "etcd-monitor opsproxy: --cluster: no cluster %q in %s\n", name, c.configFile)
				return 1
			}
		}
		secret, tok, err := CreateToken(ctx, st, spec)
		if err != nil {
			fmt.Fprintf(os.Stderr, "etcd-monitor opsproxy: %v\n", err)
			return 1
		}
		fmt.Fprintf(c.out, "token %s (%s, %s) created; its secret is shown only now:\n%s\n", tok.ID, tok.Name, tok.Role, secret)
		return 0
	case "token-list":
		toks, err := st.ListTokens(ctx)
		if err != nil {
			fmt.Fprintf(os.Stderr, "etcd-monitor opsproxy: %v\n", err)
			return 1
		}
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(toks)
		return 0
	case "token-revoke":
		tok, err := st.RevokeToken(ctx, c.tokID, time.Now())
		if errors.Is(err, store.ErrNotFound) {
			fmt.Fprintf(os.Stderr, "etcd-monitor opsproxy: no token %q\n", c.tokID)
			return 1
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "etcd-monitor opsproxy: %v\n", err)
			return 1
		}
		fmt.Fprintf(c.out, "token %s revoked at %s\n", tok.ID, tok.RevokedAt.Format(time.RFC3339))
		return 0
	}
	return 2
}

// VerifyAudit verifies the audit chain of st, writes the result to out and returns the exit
// code: 0 intact, 1 broken or unreadable.
func VerifyAudit(ctx context.Context, st store.AuditLog, out io.Writer) int {
	v, err := st.VerifyAudit(ctx)
	if err != nil {
		fmt.Fprintf(out, "audit log could not be verified: %v\n", err)
		return 1
	}
	if !v.OK() {
		fmt.Fprintf(out, "audit log BROKEN at record %d: %s (checked %d records from seq %d)\n",
			v.Break.Seq, v.Break.Reason, v.Checked, v.Anchor.Seq)
		return 1
	}
	fmt.Fprintf(out, "audit log intact: %d records checked, from seq %d to %d\n", v.Checked, v.Anchor.Seq, v.Head.Seq)
	return 0
}

// Serve runs the server (TLS and client certificates per --web.config.file) until ctx ends,
// speaking the versions of HTTP that protocols returns, and reloads the configuration on
// SIGHUP when it was read from a file (Options.ConfigFile). The HTTP server's own errors, such
// as refused TLS handshakes, go to logger as warnings.
func Serve(ctx context.Context, srv *Server, flags *web.FlagConfig, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	hup := make(chan os.Signal, 1)
	if srv.configFile != "" {
		// A server configured in code (make demo) leaves SIGHUP to the others in the process.
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-hup:
				srv.reloadOnSignal()
			case <-done:
				return
			}
		}
	}()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, Protocols: protocols(),
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	hs.RegisterOnShutdown(srv.StopStreams)
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(hs, flags, logger) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// protocols are the versions of HTTP that Serve speaks: HTTP/1.1; HTTP/2 over TLS, chosen by
// ALPN (unless the web configuration file sets http_server_config.http2 to false); and, without
// TLS, HTTP/2 with prior knowledge (h2c), so that a client such as the Grafana app's backend can
// carry all its concurrent requests over one connection, as clientv3 does to etcd.
func protocols() *http.Protocols {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	p.SetHTTP2(true)
	p.SetUnencryptedHTTP2(true)
	return p
}
