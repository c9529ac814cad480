package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"filippo.io/age"
)

// Backup streams a snapshot from a healthy member (a follower by preference), through age
// encryption when configured, into the location, then reads the stored copy back (Verify: its
// sha256s, etcd's integrity hash, which proves it is what the member sent, and snapshot status) and
// records what a restore must reproduce (HashKV and live key count at the snapshot's revision).
// When the member fails mid-stream, or the stored copy does not verify, the object is discarded
// and the next member is tried; each failure is listed in Record.Attempts. A failure of the
// location itself (missing, not writable) ends the backup at once, naming it.
func (e *Engine) Backup(ctx context.Context) (Record, error) {
	rec := Record{Cluster: e.cfg.Cluster, Location: e.cfg.Location.String(), StartedAt: e.cfg.Now().UTC(), Encrypted: e.recipients != nil}
	if _, err := e.cfg.Location.CleanLeftovers(ctx, leftoverAge); err != nil {
		e.cfg.Logger.Warn("clean leftovers of interrupted backups", "cluster", e.cfg.Cluster, "err", err)
	}
	srcs, err := e.sources(ctx)
	if err != nil {
		return rec, fmt.Errorf("backup of %s: %w", e.cfg.Cluster, err)
	}
	rec.Name = e.name()
	for _, src := range srcs {
		err := e.attempt(ctx, src, &rec)
		if err == nil {
			rec.Member = src.name
			rec.FinishedAt = e.cfg.Now().UTC()
			return rec, nil
		}
		e.cfg.Logger.Warn("backup attempt failed", "cluster", e.cfg.Cluster, "member", src.name, "err", err)
		rec.Attempts = append(rec.Attempts, Attempt{Member: src.name, Error: err.Error()})
		var le *locationError
		if errors.As(err, &le) || ctx.Err() != nil {
			return rec, fmt.Errorf("backup of %s: %w", e.cfg.Cluster, err)
		}
	}
	return rec, fmt.Errorf("backup of %s: every member failed; last: %s", e.cfg.Cluster, rec.Attempts[len(rec.Attempts)-1].Error)
}

// leftoverAge is how old a leftover of an interrupted write must be before a backup removes it
// (younger ones may belong to a backup still running elsewhere).
const leftoverAge = 6 * time.Hour

// name is the name of a new backup: <prefix><UTC time>.db, .db.age when encrypted.
func (e *Engine) name() string {
	n := e.cfg.Prefix + e.cfg.Now().UTC().Format("20060102T150405.000Z") + ".db"
	if e.recipients != nil {
		n += encryptedSuffix
	}
	return n
}

// locationError is a failure of the location, which another member cannot cure.
type locationError struct{ err error }

func (l *locationError) Error() string { return l.err.Error() }
func (l *locationError) Unwrap() error { return l.err }

// sourceReader remembers that the stream from the member failed, and after how many bytes.
type sourceReader struct {
	r      io.Reader
	n      int64
	failed atomic.Pointer[error]
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("after %d bytes: %w", s.n, err)
		s.failed.CompareAndSwap(nil, &err)
	}
	return n, err
}

func (s *sourceReader) err() error {
	if p := s.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// attempt makes the backup from one member; on error nothing of it is left in the location.
func (e *Engine) attempt(ctx context.Context, src source, rec *Record) error {
	m, err := e.cfg.Conn.Member(ctx, src.endpoint)
	if err != nil {
		return fmt.Errorf("member %s: %w", src.name, err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rc, err := m.Maintenance.Snapshot(sctx)
	if err != nil {
		return fmt.Errorf("snapshot from member %s: %w", src.name, err)
	}
	defer rc.Close()
	var r io.Reader = rc
	if e.streamHook != nil {
		r = e.streamHook(src.name, r)
	}
	sr := &sourceReader{r: r}
	var body io.Reader = sr
	if e.recipients != nil {
		pr, pw := io.Pipe()
		encrypted := make(chan struct{})
		// The encrypting goroutine is unblocked and gone before the attempt returns.
		defer func() {
			pr.Close()
			rc.Close()
			cancel()
			<-encrypted
		}()
		go func() {
			defer close(encrypted)
			w, err := age.Encrypt(pw, e.recipients...)
			if err == nil {
				_, err = io.Copy(w, sr)
				if err == nil {
					err = w.Close()
				}
			}
			pw.CloseWithError(err)
		}()
		body = pr
	}
	start := time.Now()
	n, err := e.cfg.Location.Put(ctx, rec.Name, body)
	rec.SaveSeconds = time.Since(start).Seconds()
	switch {
	case err != nil && sr.err() != nil:
		return fmt.Errorf("snapshot from member %s broke off: %w", src.name, sr.err())
	case err != nil && ctx.Err() != nil:
		return err
	case err != nil:
		return &locationError{err: err}
	}
	discard := func(cause error) error {
		if derr := e.cfg.Location.Delete(context.WithoutCancel(ctx), rec.Name); derr != nil {
			e.cfg.Logger.Error("discard a backup that failed", "cluster", e.cfg.Cluster, "member", src.name, "err", derr)
		}
		return cause
	}
	// The digests come from reading the stored copy back; that it is what the member sent is
	// proven by etcd's own integrity hash, which the member appends to the stream and the read
	// back checks. Hashing the stream as well would cost a core while it flows.
	start = time.Now()
	v, err := e.Verify(ctx, rec.Name, nil)
	rec.VerifySeconds = time.Since(start).Seconds()
	rec.Verification = v
	switch {
	case err != nil:
		return discard(fmt.Errorf("snapshot from member %s: %w", src.name, err))
	case !v.Checksum:
		err = fmt.Errorf("verify backup %s in %s: snapshot integrity check failed: etcd's appended sha256 is missing (cut short)", rec.Name, e.cfg.Location)
	case v.Size != n:
		err = fmt.Errorf("verify backup %s in %s: %d bytes read back, %d stored", rec.Name, e.cfg.Location, v.Size, n)
	}
	if err != nil {
		rec.Verification.OK, rec.Verification.Error = false, err.Error()
		return discard(fmt.Errorf("snapshot from member %s: %w", src.name, err))
	}
	rec.SnapshotSize, rec.SHA256, rec.Size, rec.StoredSHA256 = v.SnapshotSize, v.SHA256, v.Size, v.StoredSHA256
	rec.Status = *v.Status
	rec.Restore, err = e.target(ctx, src, rec.Status.Revision)
	if err != nil {
		return discard(err)
	}
	return nil
}

// target asks the source member, else any other healthy one (every member has the same HashKV
// at a revision), what a restore must show.
func (e *Engine) target(ctx context.Context, src source, rev int64) (RestoreTarget, error) {
	srcs := []source{src}
	if others, err := e.sources(ctx); err == nil {
		for _, o := range others {
			if o.name != src.name {
				srcs = append(srcs, o)
			}
		}
	}
	var errs []error
	for _, s := range srcs {
		mc, err := e.cfg.Conn.Member(ctx, s.endpoint)
		if err == nil {
			var t RestoreTarget
			if t, err = restoreTarget(ctx, mc, rev); err == nil {
				return t, nil
			}
		}
		errs = append(errs, fmt.Errorf("member %s: %w", s.name, err))
		if ctx.Err() != nil {
			break
		}
	}
	return RestoreTarget{}, fmt.Errorf("restore target at revision %d: %w", rev, errors.Join(errs...))
}
