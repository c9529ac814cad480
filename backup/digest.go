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

// asyncHash hashes what is read through it on another goroutine, so that hashing overlaps the
// stream's network reads and the location's writes instead of adding to them. Reads are gathered
// into chunks, so the hashing goroutine wakes once per chunk. Call sum once the stream is read to
// its end (or given up); it waits for the hashing to finish.
type asyncHash struct {
	r     io.Reader
	n     int64
	cur   []byte
	ch    chan []byte
	free  chan []byte
	done  chan string
	ended bool
}

// asyncChunk is the size of the chunks handed to the hashing goroutine; at most asyncChunks of
// them exist, so memory stays bounded whatever the stream's size.
const (
	asyncChunk  = 512 << 10
	asyncChunks = 4
)

func newAsyncHash(r io.Reader) *asyncHash {
	a := &asyncHash{r: r, ch: make(chan []byte, asyncChunks), free: make(chan []byte, asyncChunks), done: make(chan string, 1)}
	for range asyncChunks {
		a.free <- make([]byte, 0, asyncChunk)
	}
	go func() {
		h := sha256.New()
		for b := range a.ch {
			h.Write(b)
			a.free <- b[:0]
		}
		a.done <- hex.EncodeToString(h.Sum(nil))
	}()
	return a
}

func (a *asyncHash) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	for rest := p[:n]; len(rest) > 0; {
		if a.cur == nil {
			a.cur = <-a.free
		}
		k := min(len(rest), cap(a.cur)-len(a.cur))
		a.cur = append(a.cur, rest[:k]...)
		rest = rest[k:]
		if len(a.cur) == cap(a.cur) {
			a.ch <- a.cur
			a.cur = nil
		}
	}
	a.n += int64(n)
	return n, err
}

// sum ends the hashing and returns the sha256, in hex, of everything read.
func (a *asyncHash) sum() string {
	if !a.ended {
		a.ended = true
		if len(a.cur) > 0 {
			a.ch <- a.cur
			a.cur = nil
		}
		close(a.ch)
	}
	s := <-a.done
	a.done <- s
	return s
}
