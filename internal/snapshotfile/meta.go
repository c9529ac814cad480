package snapshotfile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// Meta is what is recorded of a snapshot beyond its file: the cluster and member it was saved
// from. It is kept beside the snapshots as .meta/<name>.json (a name no snapshot can have),
// written atomically once the snapshot file is in place. A snapshot without one (copied in by
// hand, or saved before snapshots were scoped) belongs to no known cluster.
type Meta struct {
	Cluster string    `json:"cluster"`
	Member  string    `json:"member"`
	SHA256  string    `json:"sha256"`
	Size    int64     `json:"size"`
	SavedAt time.Time `json:"saved_at"`
	// Job is the id of the job that saved the snapshot, when a job did.
	Job string `json:"job,omitempty"`
}

// MetaDir is the directory of the metadata files, inside the snapshot directory.
const MetaDir = ".meta"

// MetaPath is where the metadata of the snapshot called name (a valid name) in dir lives.
func MetaPath(dir, name string) string {
	return filepath.Join(dir, MetaDir, name+".json")
}

// WriteMeta writes m as the metadata of the snapshot called name in dir, through a temporary
// file renamed into place, so that a reader sees the whole file or none.
func WriteMeta(dir, name string, m Meta) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	path := MetaPath(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".part-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadMeta reads the metadata of the snapshot called name in dir. A snapshot without any has
// the zero Meta and a nil error; an unreadable file is an error.
func ReadMeta(dir, name string) (Meta, error) {
	var m Meta
	raw, err := os.ReadFile(MetaPath(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return Meta{}, nil
	}
	if err != nil {
		return Meta{}, err
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return Meta{}, err
	}
	return m, nil
}

// RemoveMeta removes the metadata of the snapshot called name, if any: metadata left by a
// snapshot file removed by hand must not describe a new one.
func RemoveMeta(dir, name string) error {
	if err := os.Remove(MetaPath(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
