package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/backup"
)

// recoverOptions builds and checks the engine's options from the flags; every error names the
// flag.
func (c *Command) recoverOptions() (backup.RecoverOptions, error) {
	opts := backup.RecoverOptions{Token: c.token, BumpRevision: c.bumpRevision, MarkCompacted: c.markCompacted}
	if strings.TrimSpace(c.token) == "" {
		return opts, usagef("--token: must not be empty")
	}
	// etcdutl's rule: --mark-compacted needs --bump-revision. The engine also asks the
	// converse, so that a bumped cluster's watchers always re-list.
	switch {
	case c.markCompacted && c.bumpRevision == 0:
		return opts, usagef("--mark-compacted: needs --bump-revision (etcdutl's rule)")
	case c.bumpRevision > 0 && !c.markCompacted:
		return opts, usagef("--bump-revision: needs --mark-compacted, so that watchers re-list instead of missing changes")
	}
	for i, v := range c.members {
		m, err := parseMember(i, v)
		if err != nil {
			return opts, err
		}
		opts.Members = append(opts.Members, m)
	}
	if err := opts.Check(); err != nil {
		return opts, usagef("%s", flagName.Replace(err.Error()))
	}
	return opts, nil
}

// recover writes the new data directories and prints the etcd flags to start each member with.
func (c *Command) recover(ctx context.Context, logger *slog.Logger) (int, error) {
	opts, err := c.recoverOptions()
	if err != nil {
		return 0, err
	}
	e, err := c.engine(logger)
	if err != nil {
		return 0, err
	}
	rec, err := e.Recover(ctx, c.name, nil, opts)
	if err != nil {
		return 0, err
	}
	var initial []string
	for _, m := range opts.Members {
		for _, u := range m.PeerURLs {
			initial = append(initial, m.Name+"="+u)
		}
	}
	w := c.stdout
	fmt.Fprintf(w, "# Recovered backup %s (revision %d, %d keys", c.name, rec.Status.Revision, rec.Status.TotalKeys)
	if rec.BumpRevision > 0 {
		fmt.Fprintf(w, "; revisions bumped by %d, the older ones marked compacted", rec.BumpRevision)
	}
	fmt.Fprintf(w, ") into %d new data directories.\n", len(rec.DataDirs))
	fmt.Fprintln(w, "# Start every member on its directory (add its listen and client URL flags):")
	for _, m := range opts.Members {
		fmt.Fprintf(w, "etcd --name %s --initial-advertise-peer-urls %s --initial-cluster %s --initial-cluster-token %s --data-dir %s\n",
			shellQuote(m.Name), shellQuote(strings.Join(m.PeerURLs, ",")), shellQuote(strings.Join(initial, ",")),
			shellQuote(opts.Token), shellQuote(m.DataDir))
	}
	return 0, nil
}

// shellQuote quotes s for a POSIX shell when it holds anything but plain characters.
func shellQuote(s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@+%", r)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
