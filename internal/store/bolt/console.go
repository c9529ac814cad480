package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// A user's console entries live in a bucket of their own under bucketConsoleHistory, named by
// the user, each under its time (8 bytes, big-endian microseconds with the sign bit flipped so
// that byte order is time order) then its id: a cursor walks them newest first from Last.

// AppendConsoleEntry implements store.ConsoleHistoryStore. The entry and the dropping of the
// user's oldest entries past the bound are one transaction.
func (s *Store) AppendConsoleEntry(ctx context.Context, e store.ConsoleEntry) (store.ConsoleEntry, error) {
	e, err := store.PrepareConsoleEntry(e, time.Now())
	if err != nil {
		return store.ConsoleEntry{}, err
	}
	v, err := json.Marshal(e)
	if err != nil {
		return store.ConsoleEntry{}, fmt.Errorf("encode console entry: %w", err)
	}
	err = s.update(func(tx *bbolt.Tx) error {
		user, err := tx.Bucket(bucketConsoleHistory).CreateBucketIfNotExists([]byte(e.User))
		if err != nil {
			return err
		}
		k := consoleKey(e)
		n := consoleCount(tx, e.User)
		if user.Get(k) == nil {
			n++
		}
		if err := user.Put(k, v); err != nil {
			return err
		}
		c := user.Cursor()
		for k, _ := c.First(); k != nil && n > uint64(s.consolePerUser); k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
			n--
		}
		return tx.Bucket(bucketConsoleCounts).Put([]byte(e.User), binary.BigEndian.AppendUint64(nil, n))
	})
	if err != nil {
		return store.ConsoleEntry{}, fmt.Errorf("append console entry: %w", err)
	}
	return e, nil
}

// ListConsoleHistory implements store.ConsoleHistoryStore.
func (s *Store) ListConsoleHistory(ctx context.Context, f store.ConsoleHistoryFilter) (store.ConsoleHistoryPage, error) {
	limit, cur, hasCur, err := store.CheckConsoleHistoryFilter(f)
	if err != nil {
		return store.ConsoleHistoryPage{}, err
	}
	page := store.ConsoleHistoryPage{Entries: []store.ConsoleEntry{}}
	more := false
	err = s.view(func(tx *bbolt.Tx) error {
		user := tx.Bucket(bucketConsoleHistory).Bucket([]byte(f.User))
		if user == nil {
			return nil
		}
		c := user.Cursor()
		k, v := c.Last()
		if hasCur {
			// The first key at or after the cursor's position, then back past it.
			k, v = c.Seek(consoleKey(store.ConsoleEntry{Time: cur.Time, ID: cur.ID}))
			if k == nil {
				k, v = c.Last()
			}
		}
		for ; k != nil; k, v = c.Prev() {
			e, err := decodeConsoleEntry(v)
			if err != nil {
				return fmt.Errorf("console entry %x: %w", k, err)
			}
			e.User = f.User
			if (hasCur && !cur.Before(e)) || !f.MatchesConsoleEntry(e) {
				continue
			}
			if len(page.Entries) == limit {
				more = true
				return nil
			}
			page.Entries = append(page.Entries, e)
		}
		return nil
	})
	if err != nil {
		return store.ConsoleHistoryPage{}, fmt.Errorf("list console history: %w", err)
	}
	if more {
		page.Next = store.ConsoleCursorAfter(page.Entries[len(page.Entries)-1]).Encode()
	}
	return page, nil
}

// ClearConsoleHistory implements store.ConsoleHistoryStore.
func (s *Store) ClearConsoleHistory(ctx context.Context, user string) (int64, error) {
	if err := store.CheckConsoleUser(user); err != nil {
		return 0, fmt.Errorf("clear console history: %w", err)
	}
	var n uint64
	err := s.update(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketConsoleHistory).Bucket([]byte(user)) == nil {
			return nil
		}
		n = consoleCount(tx, user)
		if err := tx.Bucket(bucketConsoleHistory).DeleteBucket([]byte(user)); err != nil {
			return err
		}
		return tx.Bucket(bucketConsoleCounts).Delete([]byte(user))
	})
	if err != nil {
		return 0, fmt.Errorf("clear console history: %w", err)
	}
	return int64(n), nil
}

// ConsoleSettings implements store.ConsoleHistoryStore.
func (s *Store) ConsoleSettings(ctx context.Context, user string) (store.ConsoleSettings, error) {
	var set store.ConsoleSettings
	if err := store.CheckConsoleUser(user); err != nil {
		return set, fmt.Errorf("console settings: %w", err)
	}
	err := s.view(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketConsoleSettings).Get([]byte(user))
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &set)
	})
	if err != nil {
		return store.ConsoleSettings{}, fmt.Errorf("console settings: %w", err)
	}
	return set, nil
}

// SetConsoleSettings implements store.ConsoleHistoryStore.
func (s *Store) SetConsoleSettings(ctx context.Context, user string, set store.ConsoleSettings) error {
	if err := store.CheckConsoleUser(user); err != nil {
		return fmt.Errorf("set console settings: %w", err)
	}
	v, err := json.Marshal(set)
	if err != nil {
		return fmt.Errorf("encode console settings: %w", err)
	}
	err = s.update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketConsoleSettings).Put([]byte(user), v)
	})
	if err != nil {
		return fmt.Errorf("set console settings: %w", err)
	}
	return nil
}

func decodeConsoleEntry(v []byte) (store.ConsoleEntry, error) {
	// The user is left out of the JSON: the bucket names it.
	var e store.ConsoleEntry
	if err := json.Unmarshal(v, &e); err != nil {
		return store.ConsoleEntry{}, fmt.Errorf("decode console entry: %w", err)
	}
	return e, nil
}

func consoleKey(e store.ConsoleEntry) []byte {
	k := binary.BigEndian.AppendUint64(nil, uint64(e.Time.UnixMicro())^(1<<63))
	return append(k, e.ID...)
}

func consoleCount(tx *bbolt.Tx, user string) uint64 {
	v := tx.Bucket(bucketConsoleCounts).Get([]byte(user))
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}
