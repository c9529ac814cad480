package snapshotfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrExists is returned by Write when a snapshot of that name exists: snapshots are never
// overwritten.
var ErrExists = errors.New("snapshot already exists")

// Write copies src into the snapshot called name (a valid name) in dir and returns its size
// and sha256. The bytes go to a temporary file (a name no snapshot can have), which is synced,
// then linked to its name, so the snapshot appears whole or not at all, never over an existing
// one; on any error (src failing, its context ending) nothing is left behind. written, when
// not nil, is told the bytes written so far as they go.
func Write(dir, name string, src io.Reader, written func(int64)) (int64, string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, "", fmt.Errorf("snapshot directory: %w", err)
	}
	h := sha256.New()
	var dst io.Writer = h
	if written != nil {
		dst = &countingWriter{w: h, report: written}
	}
	n, err := Store(dir, name, io.TeeReader(src, dst))
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// Store is Write without the digest and progress, into an existing directory: for a caller that
// hashes the stream itself.
func Store(dir, name string, src io.Reader) (int64, error) {
	path := filepath.Join(dir, name)
	if _, err := os.Lstat(path); err == nil {
		return 0, fmt.Errorf("snapshot %q: %w", name, ErrExists)
	}
	tmp, err := os.CreateTemp(dir, ".part-*")
	if err != nil {
		return 0, fmt.Errorf("snapshot file: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, src)
	if err != nil {
		tmp.Close()
		return 0, fmt.Errorf("stream snapshot: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("snapshot file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("snapshot file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return 0, fmt.Errorf("snapshot %q: %w", name, ErrExists)
		}
		return 0, fmt.Errorf("snapshot file: %w", err)
	}
	if err := syncDir(dir); err != nil {
		os.Remove(path)
		return 0, fmt.Errorf("snapshot directory: %w", err)
	}
	return n, nil
}

// syncDir makes a new name in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// countingWriter tells report the running total of bytes written through it.
type countingWriter struct {
	w      io.Writer
	n      int64
	report func(int64)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.report(c.n)
	return n, err
}
