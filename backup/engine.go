package backup

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
)

// Config is one cluster's backups in one location.
type Config struct {
	// Cluster names the cluster in backup names and records.
	Cluster string
	// Conn is the cluster's connection; only Backup needs it (nil for a location that another
	// tool fills).
	Conn *etcdconn.Cluster
	// Location is where the backups are kept.
	Location location.Location
	// Prefix starts the name of every backup of this cluster in the location, and limits what
	// retention may delete (default "<cluster>-").
	Prefix string
	// Encryption encrypts backups at rest; nil stores them as etcd sent them.
	Encryption *Encryption
	// ScratchDir holds plaintext copies read back for etcd's snapshot code and the data
	// directories of drills, removed when done (default: the system's temporary directory).
	ScratchDir string
	// Drill is how a drill starts its throwaway member.
	Drill  DrillCommand
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Engine runs backups, verifications, drills and retention for one cluster and location. Its
// methods are safe for concurrent use; the jobs that call them decide when and store what they
// return.
type Engine struct {
	cfg        Config
	recipients []recipient
	identities []identity
	// streamHook, when set (by tests), wraps the snapshot stream from a member.
	streamHook func(member string, r io.Reader) io.Reader
}

// New checks cfg and returns its engine: an encryption key that does not load, or an identity
// file inside the location, is an error now.
func New(cfg Config) (*Engine, error) {
	if cfg.Location == nil {
		return nil, errors.New("location: must be set")
	}
	if cfg.Prefix == "" && cfg.Cluster != "" {
		cfg.Prefix = cfg.Cluster + "-"
	}
	if cfg.ScratchDir == "" {
		cfg.ScratchDir = os.TempDir()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	e := &Engine{cfg: cfg}
	if cfg.Encryption != nil {
		var err error
		if e.recipients, e.identities, err = cfg.Encryption.load(cfg.Location); err != nil {
			return nil, fmt.Errorf("encryption: %w", err)
		}
	}
	return e, nil
}

// Location is the engine's location.
func (e *Engine) Location() location.Location { return e.cfg.Location }
