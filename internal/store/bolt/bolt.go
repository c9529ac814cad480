package bolt

import (
	"errors"
	"fmt"
	"os"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// formatVersion marks a bbolt file as an etcd-monitor store.
const formatVersion = "etcd-monitor-store/1"

var (
	bucketMeta      = []byte("meta")
	bucketAudit     = []byte("audit")
	bucketTokens    = []byte("tokens")
	bucketTokenHash = []byte("token_hashes")
	bucketResults   = []byte("results")
	bucketBaselines = []byte("baselines")
	// bucketCheckpoints came after format 1's first files; Open adds it.
	bucketCheckpoints = []byte("audit_checkpoints")
	// bucketJobs (id → job) and bucketJobKeys (idempotency key → id) came
	// later still.
	bucketJobs    = []byte("jobs")
	bucketJobKeys = []byte("job_keys")
	// bucketSchedules (id → schedule) and bucketScheduleNames (cluster NUL
	// name → id) came with schedules.
	bucketSchedules     = []byte("schedules")
	bucketScheduleNames = []byte("schedule_names")
	// bucketConsoleHistory holds a bucket per user (entries by time then id),
	// bucketConsoleCounts each user's entry count, bucketConsoleSettings each
	// user's settings; they came with the console.
	bucketConsoleHistory  = []byte("console_history")
	bucketConsoleCounts   = []byte("console_counts")
	bucketConsoleSettings = []byte("console_settings")
	// bucketBackupEvents (started_at in Unix nanoseconds, 8 bytes big-endian,
	// then id → event) and bucketBackupEventIDs (id → that key) came with
	// backups.
	bucketBackupEvents   = []byte("backup_events")
	bucketBackupEventIDs = []byte("backup_event_ids")

	keyFormat      = []byte("format")
	keyAuditHead   = []byte("audit_head")
	keyAuditAnchor = []byte("audit_anchor")

	allBuckets   = [][]byte{bucketMeta, bucketAudit, bucketTokens, bucketTokenHash, bucketResults, bucketBaselines}
	addedBuckets = [][]byte{bucketCheckpoints, bucketJobs, bucketJobKeys, bucketSchedules, bucketScheduleNames,
		bucketConsoleHistory, bucketConsoleCounts, bucketConsoleSettings, bucketBackupEvents, bucketBackupEventIDs}
)

// Options tune Open. Zero values pick the defaults.
type Options struct {
	// LockTimeout is how long Open waits for another process to release
	// the file (default 2s).
	LockTimeout time.Duration
	// ReadOnly opens an existing file for reading only. It still waits for
	// a process that has the file open for writing (bbolt locks the whole
	// file), up to LockTimeout.
	ReadOnly bool
	// ConsoleHistoryPerUser is how many console history entries each user
	// keeps (default store.DefaultConsoleHistoryPerUser); older ones are
	// dropped as new ones come.
	ConsoleHistoryPerUser int
}

// Store is the bbolt implementation of store.Store.
type Store struct {
	db   *bbolt.DB
	path string
	// consolePerUser bounds each user's console history.
	consolePerUser int
}

var _ store.Store = (*Store)(nil)

// Open opens or creates the store file at path.
func Open(path string, opts Options) (s *Store, err error) {
	if path == "" {
		return nil, fmt.Errorf("open bolt store: path is empty: %w", store.ErrInvalid)
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = 2 * time.Second
	}
	// bbolt can panic on some corrupt pages; turn that into an error.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("open bolt store %s: file is corrupt: %v", path, r)
		}
	}()
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, openError(path, err)
		}
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly})
	if err != nil {
		return nil, openError(path, err)
	}
	setup := db.Update
	if opts.ReadOnly {
		setup = db.View
	}
	if err := setup(initialise); err != nil {
		db.Close()
		return nil, fmt.Errorf("open bolt store %s: %w", path, err)
	}
	perUser := opts.ConsoleHistoryPerUser
	if perUser <= 0 {
		perUser = store.DefaultConsoleHistoryPerUser
	}
	return &Store{db: db, path: path, consolePerUser: perUser}, nil
}

func openError(path string, err error) error {
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return fmt.Errorf("open bolt store %s: file is locked by another process: %w", path, err)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum),
		errors.Is(err, bolterrors.ErrVersionMismatch), errors.Is(err, bolterrors.ErrInvalidMapping):
		return fmt.Errorf("open bolt store %s: file is not a bolt database or is corrupt: %w", path, err)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("open bolt store %s: no such file: %w", path, err)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("open bolt store %s: permission denied: %w", path, err)
	}
	return fmt.Errorf("open bolt store %s: %w", path, err)
}

// initialise creates the buckets of a new file and refuses a bolt file
// that belongs to something else (an etcd member's db, say).
func initialise(tx *bbolt.Tx) error {
	if meta := tx.Bucket(bucketMeta); meta != nil {
		if v := string(meta.Get(keyFormat)); v != formatVersion {
			return fmt.Errorf("unsupported store format %q (want %q)", v, formatVersion)
		}
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("file is damaged: bucket %q is missing", name)
			}
		}
		for _, name := range addedBuckets {
			if tx.Bucket(name) != nil || !tx.Writable() {
				continue
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	}
	if !tx.Writable() {
		return fmt.Errorf("not an etcd-monitor store: %w", store.ErrInvalid)
	}
	foreign := false
	if err := tx.ForEach(func([]byte, *bbolt.Bucket) error { foreign = true; return nil }); err != nil {
		return err
	}
	if foreign {
		return fmt.Errorf("bolt database is not an etcd-monitor store: %w", store.ErrInvalid)
	}
	for _, name := range append(allBuckets, addedBuckets...) {
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return tx.Bucket(bucketMeta).Put(keyFormat, []byte(formatVersion))
}

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Close closes the file.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close bolt store %s: %w", s.path, err)
	}
	return nil
}

func (s *Store) view(fn func(tx *bbolt.Tx) error) error { return mapErr(s.db.View(fn)) }

func (s *Store) update(fn func(tx *bbolt.Tx) error) error { return mapErr(s.db.Update(fn)) }

func mapErr(err error) error {
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("%w: %w", store.ErrClosed, err)
	}
	return err
}
