package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
)

// DownloadRecord says what Download wrote.
type DownloadRecord struct {
	Name string `json:"name"`
	Path string `json:"path"`
	// Size and SHA256 are the written snapshot's (decrypted, as etcdutl snapshot restore takes it).
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	Encrypted bool   `json:"encrypted"`
	// Checksum is true when the snapshot carries etcd's integrity hash and it matched.
	Checksum bool                 `json:"checksum"`
	Status   *snapshotfile.Status `json:"status"`
}

// Download writes the snapshot in the backup called name (decrypted) to the file out, which must
// not exist. The bytes go to a temporary file beside out, which is synced, checked (etcd's
// integrity hash when present, and etcd's snapshot code reading it), then linked to out and the
// directory synced: out appears whole or not at all, and never replaces a file.
func (e *Engine) Download(ctx context.Context, name, out string) (DownloadRecord, error) {
	rec := DownloadRecord{Name: name, Path: out}
	if _, err := os.Lstat(out); err == nil {
		return rec, fmt.Errorf("output %s: exists; download never overwrites a file", out)
	}
	dir := filepath.Dir(out)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(out)+".part-*")
	if err != nil {
		return rec, fmt.Errorf("output %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())
	err = e.downloadInto(ctx, name, tmp, &rec)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("output %s: %w", out, cerr)
	}
	if err != nil {
		return rec, err
	}
	if rec.Status, err = snapshotfile.StatusOf(tmp.Name()); err != nil {
		return rec, fmt.Errorf("download backup %s in %s: not a snapshot etcd can read: %w", name, e.cfg.Location, err)
	}
	if err := os.Link(tmp.Name(), out); err != nil {
		if errors.Is(err, os.ErrExist) {
			return rec, fmt.Errorf("output %s: exists; download never overwrites a file", out)
		}
		return rec, fmt.Errorf("output %s: %w", out, err)
	}
	if err := syncDir(dir); err != nil {
		os.Remove(out)
		return rec, fmt.Errorf("output directory %s: %w", dir, err)
	}
	return rec, nil
}

// downloadInto streams the backup's plaintext into f, hashing it and checking etcd's integrity
// hash, and syncs f.
func (e *Engine) downloadInto(ctx context.Context, name string, f *os.File, rec *DownloadRecord) error {
	p, err := e.Open(ctx, name)
	if err != nil {
		return fmt.Errorf("download backup %s in %s: %w", name, e.cfg.Location, err)
	}
	defer p.Close()
	rec.Encrypted = p.Encrypted
	h, cs := sha256.New(), newChecksumWriter()
	n, err := io.Copy(io.MultiWriter(f, h, cs), p)
	if err != nil {
		return fmt.Errorf("download backup %s in %s: read: %w", name, e.cfg.Location, err)
	}
	rec.Size, rec.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	present, ok := cs.result()
	if present && !ok {
		return fmt.Errorf("download backup %s in %s: snapshot integrity check failed: the sha256 etcd appended does not match the content (altered or cut short)", name, e.cfg.Location)
	}
	rec.Checksum = present
	if err := f.Sync(); err != nil {
		return fmt.Errorf("output %s: %w", rec.Path, err)
	}
	return nil
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
