package tracker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/safefile"
)

// Store is a history file on disk.
type Store struct {
	Path string
	// Now stamps appended events; time.Now when nil.
	Now func() time.Time
}

// Load reads the history; a missing file is an empty history.
func (s *Store) Load() ([]Event, error) {
	data, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state file: %w", err)
	}
	events, err := DecodeHistory(data)
	if err != nil {
		return nil, fmt.Errorf("corrupt state file %s: %w", s.Path, err)
	}
	return events, nil
}

// Locked runs fn under the lock of the directory holding the history, so that what fn
// reads (the history, and tasks.json beside it) cannot change until it returns.
func (s *Store) Locked(fn func() error) error {
	return safefile.WithLock(filepath.Dir(s.Path), fn)
}

// Append checks a change against the current state and appends its event, all under the
// lock: the history is read, check is called with its replay, and the file is replaced
// atomically by the same events plus the new one. Nothing is written when check fails.
func (s *Store) Append(check func(State) (Change, error)) (Change, error) {
	var c Change
	err := s.Locked(func() error {
		events, err := s.Load()
		if err != nil {
			return err
		}
		c, err = check(Replay(events))
		if err != nil {
			return err
		}
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		c.Event.Seq = len(events) + 1
		c.Event.Time = now().UTC()
		data, err := EncodeHistory(append(events, c.Event))
		if err != nil {
			return err
		}
		if err := safefile.WriteFile(s.Path, data, 0o644); err != nil {
			return fmt.Errorf("append to state file: %w", err)
		}
		return nil
	})
	return c, err
}
