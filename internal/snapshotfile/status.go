package snapshotfile

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"time"

	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"
)

// Info describes a snapshot file; the status comes from etcd's own snapshot code.
type Info struct {
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	SHA256  string    `json:"sha256"`
	ModTime time.Time `json:"mod_time"`
	Status  *Status   `json:"status,omitempty"`
	Member  string    `json:"member,omitempty"`
	Cluster string    `json:"cluster,omitempty"`
}

// Status is what etcdutl snapshot status says of a snapshot file.
type Status struct {
	Revision  int64  `json:"revision"`
	Hash      uint32 `json:"hash"`
	TotalKeys int    `json:"total_keys"`
	TotalSize int64  `json:"total_size"`
	Version   string `json:"version,omitempty"`
}

// StatusOf reads the status of the snapshot file at path with etcd's snapshot code.
func StatusOf(path string) (*Status, error) {
	st, err := snapshot.NewV3(zap.NewNop()).Status(path)
	if err != nil {
		return nil, err
	}
	return &Status{Revision: st.Revision, Hash: st.Hash, TotalKeys: st.TotalKey, TotalSize: st.TotalSize, Version: st.Version}, nil
}

// SHA256Of returns the sha256 of the file at path, in hex.
func SHA256Of(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
