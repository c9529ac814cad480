package auditlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// ErrSpoolFull is returned by Spool.Add when the record would take the spool past its bound.
var ErrSpoolFull = errors.New("audit spool full")

// Spool is a bounded file of audit records that could not be committed because the history
// store was down, kept until the shipper commits them. Records are JSON lines appended with
// fsync to spool-<gen>.jsonl; the file "head" holds "<gen> <offset>", the start of the first
// record not yet committed, and is replaced atomically after each commit, so a crash never
// loses a record and repeats at most the batch committed just before it (the shipper finds
// those in the store and skips them). A partial last line (a crash during Add, whose caller
// was never told the record was kept) is cut off when the spool is opened.
type Spool struct {
	dir  string
	max  int64
	lock *os.File

	mu      sync.Mutex
	gen     uint64
	f       *os.File
	head    int64 // offset of the first record not yet committed
	size    int64 // end of the last complete record
	records int   // records from head to size
	// refused is set when Add refused a record, until the next Commit makes room.
	refused bool
	notify  chan struct{}
}

// SpooledRecord is a record read back from the spool, with the offset just past it.
type SpooledRecord struct {
	Rec store.AuditRecord
	End int64
	// Bad marks a line that did not decode (Add never writes one): skip it.
	Bad bool
}

const headFile = "head"

// OpenSpool opens (creating it when absent) the spool in dir, holding at most maxBytes of
// records not yet committed.
func OpenSpool(dir string, maxBytes int64) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit spool: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, fmt.Errorf("audit spool %s: %w", dir, err)
	}
	s := &Spool{dir: dir, max: maxBytes, lock: lock, notify: make(chan struct{}, 1)}
	if err := s.open(); err != nil {
		lock.Close()
		return nil, fmt.Errorf("audit spool %s: %w", dir, err)
	}
	return s, nil
}

func (s *Spool) dataPath(gen uint64) string {
	return filepath.Join(s.dir, fmt.Sprintf("spool-%d.jsonl", gen))
}

func (s *Spool) open() error {
	raw, err := os.ReadFile(filepath.Join(s.dir, headFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	default:
		genText, offText, ok := strings.Cut(strings.TrimSpace(string(raw)), " ")
		gen, err1 := strconv.ParseUint(genText, 10, 64)
		off, err2 := strconv.ParseInt(offText, 10, 64)
		if !ok || err1 != nil || err2 != nil || off < 0 {
			return fmt.Errorf("%s: cannot parse %q", headFile, raw)
		}
		s.gen, s.head = gen, off
	}
	// Files of other generations are leftovers of a compaction that did not finish (the
	// head file is its commit point) or that finished without removing the old file.
	if olds, err := filepath.Glob(filepath.Join(s.dir, "spool-*.jsonl")); err == nil {
		for _, p := range olds {
			if p != s.dataPath(s.gen) {
				_ = os.Remove(p)
			}
		}
	}
	f, err := os.OpenFile(s.dataPath(s.gen), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return err
	}
	end := int64(bytes.LastIndexByte(data, '\n') + 1)
	if end < int64(len(data)) {
		// A partial last line: its Add never returned success.
		if err := f.Truncate(end); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	if s.head > end {
		s.head = end
	}
	s.f, s.size = f, end
	s.records = bytes.Count(data[s.head:end], []byte{'\n'})
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		f.Close()
		return err
	}
	return nil
}

// Add appends rec and syncs it to disk. It returns ErrSpoolFull when the records not yet
// committed would exceed the bound.
func (s *Spool) Add(rec store.AuditRecord) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("audit spool: %w", err)
	}
	line = append(line, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return fmt.Errorf("audit spool: %w", store.ErrClosed)
	}
	if s.size-s.head+int64(len(line)) > s.max {
		s.refused = true
		return ErrSpoolFull
	}
	if s.size+int64(len(line)) > s.max && s.head > 0 {
		// Committed records still take room at the start of the file: drop them first, so
		// that the file itself stays within the bound.
		if err := s.compactLocked(); err != nil {
			return fmt.Errorf("audit spool: %w", err)
		}
	}
	if _, err := s.f.Write(line); err != nil {
		s.rewindLocked()
		return fmt.Errorf("audit spool: %w", err)
	}
	if err := s.f.Sync(); err != nil {
		s.rewindLocked()
		return fmt.Errorf("audit spool: %w", err)
	}
	s.size += int64(len(line))
	s.records++
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return nil
}

// rewindLocked cuts a failed write off the end of the file.
func (s *Spool) rewindLocked() {
	_ = s.f.Truncate(s.size)
	_, _ = s.f.Seek(s.size, io.SeekStart)
}

// Peek returns up to n records from the oldest not yet committed, in order. Lines that do
// not decode (which Add never writes) come back marked Bad.
func (s *Spool) Peek(n int) (recs []SpooledRecord, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil, fmt.Errorf("audit spool: %w", store.ErrClosed)
	}
	r := bufio.NewReader(io.NewSectionReader(s.f, s.head, s.size-s.head))
	off := s.head
	for len(recs) < n {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			break
		}
		if err != nil {
			return recs, fmt.Errorf("audit spool: %w", err)
		}
		off += int64(len(line))
		var rec store.AuditRecord
		bad := json.Unmarshal(line, &rec) != nil
		recs = append(recs, SpooledRecord{Rec: rec, End: off, Bad: bad})
	}
	return recs, nil
}

// Commit forgets the records before end (an End that Peek returned), once they are committed
// to the store. When nothing is left, the file starts afresh.
func (s *Spool) Commit(end int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return fmt.Errorf("audit spool: %w", store.ErrClosed)
	}
	if end <= s.head || end > s.size {
		return fmt.Errorf("audit spool: commit to %d outside %d..%d", end, s.head, s.size)
	}
	r := bufio.NewReader(io.NewSectionReader(s.f, s.head, end-s.head))
	s.refused = false
	n := 0
	for {
		if _, err := r.ReadBytes('\n'); err != nil {
			break
		}
		n++
	}
	if end == s.size {
		s.head, s.records = end, 0
		return s.compactLocked()
	}
	if err := s.writeHead(s.gen, end); err != nil {
		return fmt.Errorf("audit spool: %w", err)
	}
	s.head = end
	s.records -= n
	return nil
}

// compactLocked moves the records not yet committed to a file of the next generation. The
// new head file is the commit point: a crash before it keeps the old file and head.
func (s *Spool) compactLocked() error {
	gen := s.gen + 1
	nf, err := os.OpenFile(s.dataPath(gen), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	rest := s.size - s.head
	if _, err := io.Copy(nf, io.NewSectionReader(s.f, s.head, rest)); err != nil {
		nf.Close()
		os.Remove(s.dataPath(gen))
		return err
	}
	if err := nf.Sync(); err != nil {
		nf.Close()
		os.Remove(s.dataPath(gen))
		return err
	}
	if err := s.writeHead(gen, 0); err != nil {
		nf.Close()
		os.Remove(s.dataPath(gen))
		return err
	}
	old := s.dataPath(s.gen)
	s.f.Close()
	_ = os.Remove(old)
	s.f, s.gen, s.head, s.size = nf, gen, 0, rest
	_, err = nf.Seek(rest, io.SeekStart)
	return err
}

// writeHead replaces the head file atomically and durably.
func (s *Spool) writeHead(gen uint64, off int64) error {
	tmp := filepath.Join(s.dir, headFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%d %d\n", gen, off)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.dir, headFile))
	}
	if err == nil {
		err = syncDir(s.dir)
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Stats returns the bytes and the number of records waiting to be committed.
func (s *Spool) Stats() (bytes int64, records int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size - s.head, s.records
}

// MaxBytes is the bound given to OpenSpool.
func (s *Spool) MaxBytes() int64 { return s.max }

// Full reports whether the spool refused a record since the last commit, or cannot take
// another record of typical size.
func (s *Spool) Full() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused || s.size-s.head+min(fullMargin, s.max/8) > s.max
}

// fullMargin is the room a record typically needs (or an eighth of the bound, when that is
// less): a spool with less left counts as full, so that reads are refused before their
// records would be lost.
const fullMargin = 4 << 10

// Notify receives after each Add.
func (s *Spool) Notify() <-chan struct{} { return s.notify }

// Close closes the file; the records stay for the next start.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := errors.Join(s.f.Close(), s.lock.Close())
	s.f = nil
	return err
}
