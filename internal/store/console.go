package store

import (
	"context"
	"time"
)

// ConsoleHistoryStore keeps each user's console history: the command lines they ran through
// the console API (from the app or `ctl`), newest first, private to the user. Values of puts
// are kept only for users who turned that on (ConsoleSettings.KeepValues); otherwise the
// console stores the line with its values redacted.
type ConsoleHistoryStore interface {
	// AppendConsoleEntry stores e (ID and Time set by the store when empty or zero) and
	// returns it.
	AppendConsoleEntry(ctx context.Context, e ConsoleEntry) (ConsoleEntry, error)
	// ListConsoleHistory returns a page of f.User's entries matching f, newest first.
	ListConsoleHistory(ctx context.Context, f ConsoleHistoryFilter) (ConsoleHistoryPage, error)
	// ClearConsoleHistory deletes every entry of user and reports how many there were.
	ClearConsoleHistory(ctx context.Context, user string) (int64, error)
	// ConsoleSettings returns user's settings (the zero value when never set).
	ConsoleSettings(ctx context.Context, user string) (ConsoleSettings, error)
	// SetConsoleSettings stores user's settings.
	SetConsoleSettings(ctx context.Context, user string, s ConsoleSettings) error
}

// ConsoleEntry is one command line a user ran.
type ConsoleEntry struct {
	ID      string    `json:"id"`
	User    string    `json:"-"`
	Cluster string    `json:"cluster"`
	Line    string    `json:"line"`
	Time    time.Time `json:"time"`
	// ExitCode is etcdctl's exit code for the outcome.
	ExitCode int           `json:"exit_code"`
	Duration time.Duration `json:"duration_ns"`
}

// ConsoleHistoryFilter selects a user's entries. User is required.
type ConsoleHistoryFilter struct {
	User string
	// Cluster limits to one cluster (empty: all).
	Cluster string
	// Clusters, when not empty, keeps only the entries of these clusters (a token's scope).
	Clusters []string
	// Contains limits to lines containing this text (case-insensitive).
	Contains string
	// Limit is the page size (0: DefaultConsoleHistoryLimit; over MaxConsoleHistoryLimit is
	// ErrInvalid).
	Limit int
	// Cursor continues a previous page (ConsoleHistoryPage.Next).
	Cursor string
}

// ConsoleHistoryPage is a page of entries, newest first; Next continues it (empty: no more).
type ConsoleHistoryPage struct {
	Entries []ConsoleEntry `json:"entries"`
	Next    string         `json:"next,omitempty"`
}

// ConsoleSettings are a user's console preferences.
type ConsoleSettings struct {
	// KeepValues keeps put values in the user's history lines (off: redacted).
	KeepValues bool `json:"keep_values"`
}
