package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
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
	if c.initialCluster != "" {
		if err := checkInitialCluster(c.initialCluster, opts.Members); err != nil {
			return opts, err
		}
		opts.InitialCluster = c.initialCluster
	}
	return opts, nil
}

// recover writes the new data directories and prints the etcd flags to start each member with;
// as JSON, the engine's record (backup.RecoverRecord, as a restore event stores it).
func (c *Command) recover(ctx context.Context, logger *slog.Logger) (int, error) {
	opts, err := c.recoverOptions()
	if err != nil {
		return 0, err
	}
	e, _, err := c.engine(logger)
	if err != nil {
		return 0, err
	}
	rec, err := e.Recover(ctx, c.name, nil, opts)
	if err != nil {
		return 0, err
	}
	if c.wantJSON() {
		return 0, c.printJSON(rec)
	}
	initial := opts.InitialCluster
	if initial == "" {
		var parts []string
		for _, m := range opts.Members {
			for _, u := range m.PeerURLs {
				parts = append(parts, m.Name+"="+u)
			}
		}
		initial = strings.Join(parts, ",")
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
			shellQuote(m.Name), shellQuote(strings.Join(m.PeerURLs, ",")), shellQuote(initial),
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

// checkInitialCluster checks --initial-cluster: name=URL entries, holding every --member's peer
// URLs under its name.
func checkInitialCluster(v string, members []backup.RecoverMember) error {
	have := map[string]bool{}
	for i, part := range strings.Split(v, ",") {
		name, u, ok := strings.Cut(part, "=")
		if !ok || name == "" {
			return usagef("--initial-cluster: entry %d %q: want name=peer-url", i, part)
		}
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return usagef("--initial-cluster: entry %d %q: want name=http(s)://host:port", i, part)
		}
		have[name+"="+u] = true
	}
	for i, m := range members {
		for _, u := range m.PeerURLs {
			if !have[m.Name+"="+u] {
				return usagef("--initial-cluster: lacks --member[%d]'s %s=%s", i, m.Name, u)
			}
		}
	}
	return nil
}
