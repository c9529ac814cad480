package jobkinds

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
)

// The kinds of backup job.
const (
	KindBackup        = "backup"
	KindBackupVerify  = "backup-verify"
	KindBackupDrill   = "backup-drill"
	KindBackupInspect = "backup-inspect"
	KindBackupRestore = "backup-restore"
)

// backupLocationParam is what a location parameter may be: a configured location's name.
var backupLocationParam = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// backupParams are the parameters of the backup, verify, drill and inspect jobs: the location
// (optional where the cluster has one that fits) and, for verify and drill, the backup.
type backupParams struct {
	Location string `json:"location,omitempty"`
	Name     string `json:"name,omitempty"`
}

// restoreParams are the parameters of a "backup-restore" job: the backup, and what etcdutl
// snapshot restore takes, with the output a new directory under maintenance.restore_dir.
type restoreParams struct {
	Location string `json:"location,omitempty"`
	Name     string `json:"name"`
	// DataDir is the name of the new data directory under maintenance.restore_dir.
	DataDir             string   `json:"data_dir"`
	MemberName          string   `json:"member_name"`
	InitialCluster      string   `json:"initial_cluster,omitempty"`
	InitialClusterToken string   `json:"initial_cluster_token,omitempty"`
	PeerURLs            []string `json:"initial_advertise_peer_urls"`
	BumpRevision        uint64   `json:"bump_revision,omitempty"`
	MarkCompacted       bool     `json:"mark_compacted,omitempty"`
}

// parseBackupParams decodes the parameters of a backup job of kind; the error names the field.
// A name is refused where the kind takes none, required where it needs one.
func parseBackupParams(kind string, raw json.RawMessage) (backupParams, error) {
	var p backupParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if err := checkLocationParam(p.Location); err != nil {
		return p, err
	}
	switch {
	case p.Name != "" && (kind == KindBackup || kind == KindBackupInspect):
		return p, errors.New("name: unknown parameter")
	case p.Name == "" && kind == KindBackupVerify:
		return p, errors.New("name: must not be empty")
	case p.Name != "":
		return p, checkBackupName(p.Name)
	}
	return p, nil
}

func parseRestoreParams(raw json.RawMessage) (restoreParams, error) {
	var p restoreParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if err := checkLocationParam(p.Location); err != nil {
		return p, err
	}
	if p.Name == "" {
		return p, errors.New("name: must not be empty")
	}
	if err := checkBackupName(p.Name); err != nil {
		return p, err
	}
	if err := snapshotfile.CheckName("data_dir", p.DataDir); err != nil {
		return p, err
	}
	if err := snapshotfile.CheckName("member_name", p.MemberName); err != nil {
		return p, err
	}
	if len(p.PeerURLs) == 0 {
		return p, errors.New("initial_advertise_peer_urls: must not be empty")
	}
	if len(p.PeerURLs) > 16 {
		return p, errors.New("initial_advertise_peer_urls: more than 16")
	}
	for i, u := range p.PeerURLs {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || pu.User != nil || len(u) > 256 {
			return p, fmt.Errorf("initial_advertise_peer_urls[%d]: want http(s)://host:port", i)
		}
	}
	if len(p.InitialCluster) > 4096 {
		return p, errors.New("initial_cluster: longer than 4096 characters")
	}
	if p.InitialCluster != "" {
		for i, m := range strings.Split(p.InitialCluster, ",") {
			name, u, ok := strings.Cut(m, "=")
			if pu, err := url.Parse(u); !ok || name == "" || err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				return p, fmt.Errorf("initial_cluster: entry %d: want name=http(s)://host:port", i)
			}
		}
		if !strings.Contains(","+p.InitialCluster, ","+p.MemberName+"=") {
			return p, fmt.Errorf("initial_cluster: does not list member_name %q", p.MemberName)
		}
	}
	if len(p.InitialClusterToken) > 256 {
		return p, errors.New("initial_cluster_token: longer than 256 characters")
	}
	switch {
	case p.BumpRevision > 0 && !p.MarkCompacted:
		return p, errors.New("mark_compacted: must be set with bump_revision")
	case p.MarkCompacted && p.BumpRevision == 0:
		return p, errors.New("bump_revision: must be set with mark_compacted")
	}
	return p, nil
}

func checkLocationParam(l string) error {
	if l != "" && !backupLocationParam.MatchString(l) {
		return fmt.Errorf("location: %.64q: want a configured location's name", l)
	}
	return nil
}

// checkBackupName accepts the name of an object of a location: a plain name, never a path.
func checkBackupName(name string) error {
	if len(name) > 255 || !utf8.ValidString(name) || strings.ContainsAny(name, "/\\\x00") || strings.HasPrefix(name, ".") {
		return fmt.Errorf("name %.64q: want a backup's name (no path, not starting with a dot, at most 255 bytes)", name)
	}
	return nil
}
