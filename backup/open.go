package backup

import (
	"context"
	"fmt"
	"io"
)

// Plain is the plaintext of a stored backup being read: the etcd snapshot file as the member sent
// it, decrypted when the backup is encrypted.
type Plain struct {
	io.Reader
	// Encrypted is true when the stored object is encrypted (and Reader decrypts it).
	Encrypted bool
	closer    io.Closer
}

// Close closes the stored object.
func (p *Plain) Close() error { return p.closer.Close() }

// Open reads the backup called name back as the snapshot it holds, decrypting it with the
// engine's identities. The caller hashes what it reads when it needs to check it: a cut or
// altered object shows only at its end (etcd's integrity hash, age's authentication).
func (e *Engine) Open(ctx context.Context, name string) (*Plain, error) {
	rc, err := e.cfg.Location.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	src, encrypted, err := decryptIfAge(rc, e.identities)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("backup %s in %s: %w", name, e.cfg.Location, err)
	}
	return &Plain{Reader: ctxReader{ctx: ctx, r: src}, Encrypted: encrypted, closer: rc}, nil
}
