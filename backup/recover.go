package backup

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
)

// RecoverMember is one member of the cluster a disaster recovery brings up.
type RecoverMember struct {
	Name     string   `json:"name"`
	PeerURLs []string `json:"peer_urls"`
	// DataDir is the new data directory to write; it must not exist.
	DataDir string `json:"data_dir"`
}

// RecoverOptions are etcdutl snapshot restore's, for every member of a new cluster at once.
type RecoverOptions struct {
	Members []RecoverMember `json:"members"`
	// Token is the new cluster's --initial-cluster-token (default "etcd-cluster").
	Token string `json:"token"`
	// BumpRevision and MarkCompacted are etcdutl's --bump-revision and --mark-compacted: for a
	// cluster that serves Kubernetes, raise every revision past any a client has seen and mark the
	// old ones compacted, so that watchers re-list instead of missing changes. One needs the other.
	BumpRevision  uint64 `json:"bump_revision"`
	MarkCompacted bool   `json:"mark_compacted"`
	// InitialCluster is the --initial-cluster written into every directory (default: the
	// members above, name=peer URL each): set it to restore one new member of a cluster whose
	// other members are written elsewhere.
	InitialCluster string `json:"initial_cluster,omitempty"`
}

// Check returns an error naming the field when the options are not usable.
func (o RecoverOptions) Check() error {
	if len(o.Members) == 0 {
		return errors.New("members: must not be empty")
	}
	seen := map[string]bool{}
	for i, m := range o.Members {
		switch {
		case !snapshotfile.ValidName(m.Name):
			return fmt.Errorf("members[%d].name %q: want letters, digits, '.', '_' or '-'", i, m.Name)
		case seen[m.Name]:
			return fmt.Errorf("members[%d].name %q: given twice", i, m.Name)
		case len(m.PeerURLs) == 0:
			return fmt.Errorf("members[%d].peer_urls: must not be empty", i)
		case m.DataDir == "":
			return fmt.Errorf("members[%d].data_dir: must not be empty", i)
		}
		seen[m.Name] = true
		for j, u := range m.PeerURLs {
			if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				return fmt.Errorf("members[%d].peer_urls[%d] %q: want http(s)://host:port", i, j, u)
			}
		}
		if _, err := os.Lstat(m.DataDir); err == nil {
			return fmt.Errorf("members[%d].data_dir %s: exists; recovery only writes new directories", i, m.DataDir)
		}
	}
	switch {
	case o.BumpRevision > 0 && !o.MarkCompacted:
		return errors.New("mark_compacted: must be set with bump_revision")
	case o.MarkCompacted && o.BumpRevision == 0:
		return errors.New("bump_revision: must be set with mark_compacted")
	}
	return nil
}

// Recover writes a new data directory for every member of a new cluster from the backup called
// name, with etcd's restore code (etcdutl snapshot restore, run once per member). It checks the
// backup against want first (when not nil), never touches an existing directory, and on failure
// removes the directories it wrote. Start each member on its directory with the same
// --initial-cluster and --initial-cluster-token (see docs/backups.md).
func (e *Engine) Recover(ctx context.Context, name string, want *Record, opts RecoverOptions) (RecoverRecord, error) {
	rec := RecoverRecord{Name: name, DataDirs: map[string]string{}, BumpRevision: opts.BumpRevision, MarkCompacted: opts.MarkCompacted}
	if err := opts.Check(); err != nil {
		return rec, err
	}
	if opts.Token == "" {
		opts.Token = "etcd-cluster"
	}
	p, err := e.fetch(ctx, name)
	if err != nil {
		return rec, fmt.Errorf("recover from backup %s in %s: %w", name, e.cfg.Location, err)
	}
	defer p.cleanup()
	if err := p.check(want); err != nil {
		return rec, fmt.Errorf("recover from backup %s in %s: %w", name, e.cfg.Location, err)
	}
	st, err := snapshotfile.StatusOf(p.path)
	if err != nil {
		return rec, fmt.Errorf("recover from backup %s in %s: not a snapshot etcd can read: %w", name, e.cfg.Location, err)
	}
	rec.Status = *st
	var initial []string
	for _, m := range opts.Members {
		for _, u := range m.PeerURLs {
			initial = append(initial, m.Name+"="+u)
		}
	}
	initialCluster := strings.Join(initial, ",")
	if opts.InitialCluster != "" {
		initialCluster = opts.InitialCluster
	}
	for _, m := range opts.Members {
		if err := ctx.Err(); err != nil {
			e.removeDirs(rec.DataDirs)
			return RecoverRecord{}, err
		}
		if _, err := os.Lstat(m.DataDir); err == nil {
			e.removeDirs(rec.DataDirs)
			return RecoverRecord{}, fmt.Errorf("data_dir %s of member %s: appeared meanwhile; recovery only writes new directories", m.DataDir, m.Name)
		}
		if err := restore(p.path, m.Name, m.PeerURLs, initialCluster, opts.Token, m.DataDir, !p.hasChecksum, opts.BumpRevision, opts.MarkCompacted); err != nil {
			os.RemoveAll(m.DataDir)
			e.removeDirs(rec.DataDirs)
			return RecoverRecord{}, fmt.Errorf("recover member %s from backup %s: %w", m.Name, name, err)
		}
		rec.DataDirs[m.Name] = m.DataDir
	}
	return rec, nil
}

func (e *Engine) removeDirs(dirs map[string]string) {
	for _, d := range dirs {
		os.RemoveAll(d)
	}
}
