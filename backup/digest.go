package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
)

// hashReader hashes and counts what is read through it.
type hashReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func newHashReader(r io.Reader) *hashReader { return &hashReader{r: r, h: sha256.New()} }

func (h *hashReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

func (h *hashReader) sum() string { return hex.EncodeToString(h.h.Sum(nil)) }

// checksumWriter checks etcd's snapshot integrity hash: a snapshot streamed from a member ends
// with the sha256 of everything before it (the file is then 512·k + 32 bytes long), which is what
// etcdutl snapshot restore checks. It hashes all it is given but the last 32 bytes, held back.
type checksumWriter struct {
	h    hash.Hash
	tail [sha256.Size]byte
	nt   int
	n    int64
}

func newChecksumWriter() *checksumWriter { return &checksumWriter{h: sha256.New()} }

func (c *checksumWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if len(p) >= sha256.Size {
		c.h.Write(c.tail[:c.nt])
		c.h.Write(p[:len(p)-sha256.Size])
		copy(c.tail[:], p[len(p)-sha256.Size:])
		c.nt = sha256.Size
		return len(p), nil
	}
	if over := c.nt + len(p) - sha256.Size; over > 0 {
		c.h.Write(c.tail[:over])
		copy(c.tail[:], c.tail[over:c.nt])
		c.nt -= over
	}
	copy(c.tail[c.nt:], p)
	c.nt += len(p)
	return len(p), nil
}

// result says whether the data carries the hash (its length is right for it) and whether it
// matched.
func (c *checksumWriter) result() (present, ok bool) {
	if c.n%512 != sha256.Size || c.nt != sha256.Size {
		return false, false
	}
	return true, bytes.Equal(c.h.Sum(nil), c.tail[:])
}
