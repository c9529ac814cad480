package store

import (
	"errors"
)

// Store is the history store. Implementations are safe for concurrent use.
type Store interface {
	AuditLog
	CheckpointStore
	TokenStore
	ResultStore
	JobStore
	ScheduleStore
	ConsoleHistoryStore
	BackupStore
	// Close releases the store. Calls after Close return ErrClosed.
	Close() error
}

// Errors returned by every implementation, to be tested with errors.Is.
var (
	// ErrNotFound: the token, result or baseline does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a token with the same id or secret hash already exists.
	ErrConflict = errors.New("already exists")
	// ErrInvalid: the argument was rejected before reaching storage.
	ErrInvalid = errors.New("invalid argument")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store closed")
)
