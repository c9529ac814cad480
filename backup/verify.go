package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
)

// Verify reads the stored backup called name back (decrypting it), and checks its sha256s and
// size against want (when not nil), etcd's integrity hash at its end (when it has one), and that
// etcd's snapshot code reads it. A failure is both in the record (OK false, Error naming the file)
// and returned.
func (e *Engine) Verify(ctx context.Context, name string, want *Record) (VerifyRecord, error) {
	rec := VerifyRecord{Location: e.cfg.Location.String(), Name: name, VerifiedAt: e.cfg.Now().UTC()}
	p, err := e.fetch(ctx, name)
	if err == nil {
		defer p.cleanup()
		rec.Size, rec.StoredSHA256, rec.SnapshotSize, rec.SHA256, rec.Encrypted = p.storedSize, p.storedSHA, p.size, p.sha, p.encrypted
		err = p.check(want)
		if err == nil {
			rec.Checksum = p.checksum
			rec.Status, err = snapshotfile.StatusOf(p.path)
			if err != nil {
				err = fmt.Errorf("not a snapshot etcd can read: %w", err)
			}
		}
	}
	if err != nil {
		err = fmt.Errorf("verify backup %s in %s: %w", name, e.cfg.Location, err)
		rec.Error = err.Error()
		return rec, err
	}
	rec.OK = true
	return rec, nil
}

// plain is a backup's plaintext snapshot as a file etcd's code can open: the stored file itself
// when the location is local and the backup is not encrypted, else a copy in the scratch
// directory, removed by cleanup.
type plain struct {
	path       string
	cleanup    func()
	storedSize int64
	storedSHA  string
	size       int64
	sha        string
	encrypted  bool
	// hasChecksum and checksum: whether etcd's integrity hash is present and matched.
	hasChecksum, checksum bool
}

// check compares the plaintext with what the backup's record says, and etcd's integrity hash.
func (p *plain) check(want *Record) error {
	if want != nil {
		switch {
		case want.StoredSHA256 != "" && p.storedSHA != want.StoredSHA256:
			return fmt.Errorf("stored sha256 %s, recorded %s: the stored copy was altered or cut short", p.storedSHA, want.StoredSHA256)
		case want.SHA256 != "" && p.sha != want.SHA256:
			return fmt.Errorf("snapshot sha256 %s, recorded %s: the snapshot was altered or cut short", p.sha, want.SHA256)
		case want.SnapshotSize != 0 && p.size != want.SnapshotSize:
			return fmt.Errorf("snapshot size %d, recorded %d", p.size, want.SnapshotSize)
		}
	}
	if p.hasChecksum && !p.checksum {
		return errors.New("snapshot integrity check failed: the sha256 etcd appended does not match the content (altered or cut short)")
	}
	if want != nil && want.SHA256 != "" && !p.hasChecksum {
		return errors.New("snapshot integrity check failed: etcd's appended sha256 is missing (cut short)")
	}
	return nil
}

// fetch reads the backup called name, hashing what is stored and its plaintext, into a file.
func (e *Engine) fetch(ctx context.Context, name string) (*plain, error) {
	rc, err := e.cfg.Location.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	stored := newHashReader(rc)
	src, encrypted, err := decryptIfAge(stored, e.identities)
	if err != nil {
		return nil, err
	}
	p := &plain{encrypted: encrypted, cleanup: func() {}}
	h, cs := sha256.New(), newChecksumWriter()
	var dst io.Writer = io.MultiWriter(h, cs)
	lp, local := e.cfg.Location.(location.LocalPath)
	if local && !encrypted {
		p.path = lp.Path(name)
	} else {
		f, err := os.CreateTemp(e.cfg.ScratchDir, "etcd-monitor-verify-*.db")
		if err != nil {
			return nil, fmt.Errorf("scratch file: %w", err)
		}
		p.path = f.Name()
		p.cleanup = func() { os.Remove(f.Name()) }
		defer f.Close()
		dst = io.MultiWriter(f, h, cs)
	}
	n, err := io.Copy(dst, ctxReader{ctx: ctx, r: src})
	if err != nil {
		p.cleanup()
		return nil, fmt.Errorf("read: %w", err)
	}
	// Drain what age left unread (nothing, for a well-formed file) so the stored digest is whole.
	if _, err := io.Copy(io.Discard, stored); err != nil {
		p.cleanup()
		return nil, fmt.Errorf("read: %w", err)
	}
	p.size, p.sha = n, hex.EncodeToString(h.Sum(nil))
	p.storedSize, p.storedSHA = stored.n, stored.sum()
	p.hasChecksum, p.checksum = cs.result()
	return p, nil
}

// ctxReader ends a read when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
