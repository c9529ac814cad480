package ctl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
)

// Names of the snapshot download's trailer and headers, as opsproxy's OpenAPI file
// (GET /api/v1/clusters/{cluster}/snapshot) describes them.
const (
	snapshotSHA256Trailer = "X-Snapshot-Sha256"
	snapshotVersionHeader = "X-Etcd-Server-Version"
)

// SavedSnapshot is what SaveSnapshot wrote.
type SavedSnapshot struct {
	Path    string
	Size    int64
	SHA256  string
	Version string
}

// SaveSnapshot streams the cluster's snapshot into path as `etcdctl snapshot save` does: into
// a temporary file beside it, synced, then renamed, so path holds a whole snapshot or is left
// as it was. The temporary file is removed on any failure, ctx ending (Ctrl-C) included. A
// stream opsproxy did not finish (no sha256 trailer, or another sum) is a failure.
func (c *Client) SaveSnapshot(ctx context.Context, cluster, path string) (SavedSnapshot, error) {
	// The temporary file first, as etcdctl opens its .part file first: a directory that cannot
	// take the file fails before opsproxy streams anything.
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, base+".part-*")
	if err != nil {
		return SavedSnapshot{}, fmt.Errorf("could not create the temporary file beside %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	resp, err := c.do(ctx, http.MethodGet, clusterPath(cluster, "snapshot"), nil, nil)
	if err != nil {
		return SavedSnapshot{}, err
	}
	defer resp.Body.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), resp.Body)
	if err != nil {
		if ctx.Err() != nil {
			return SavedSnapshot{}, ctx.Err()
		}
		return SavedSnapshot{}, fmt.Errorf("could not write snapshot: %w", err)
	}
	sum, err := checkStream(resp, h, n)
	if err != nil {
		return SavedSnapshot{}, err
	}
	if err := tmp.Sync(); err != nil {
		return SavedSnapshot{}, fmt.Errorf("could not fsync snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return SavedSnapshot{}, fmt.Errorf("could not close snapshot: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return SavedSnapshot{}, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return SavedSnapshot{}, fmt.Errorf("could not rename the temporary file to %s: %w", path, err)
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		// The new name survives a crash only once the directory is synced.
		_ = d.Sync()
		d.Close()
	}
	return SavedSnapshot{Path: path, Size: n, SHA256: sum, Version: resp.Header.Get(snapshotVersionHeader)}, nil
}

// checkStream checks that the whole snapshot arrived: opsproxy's sum trailer matches what was
// read, and, as etcdctl checks, the file ends with etcd's own sha256 after whole pages.
func checkStream(resp *http.Response, h hash.Hash, n int64) (string, error) {
	sum := hex.EncodeToString(h.Sum(nil))
	want := resp.Trailer.Get(snapshotSHA256Trailer)
	switch {
	case want == "":
		return "", fmt.Errorf("could not write snapshot: the stream ended after %d bytes, before opsproxy finished it", n)
	case want != sum:
		return "", fmt.Errorf("could not write snapshot: sha256 %s of the %d bytes received, opsproxy sent %s", sum, n, want)
	case n%512 != sha256.Size:
		return "", fmt.Errorf("sha256 checksum not found [bytes: %d]", n)
	}
	return sum, nil
}

// errNoSnapshotFile is etcdctl's complaint about `snapshot save` without exactly one file.
var errNoSnapshotFile = errors.New("snapshot save expects one argument <filename>")
