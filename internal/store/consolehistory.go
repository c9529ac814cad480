package store

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Console history bounds, the same in every backend.
const (
	// DefaultConsoleHistoryLimit is the page size of a filter with Limit 0.
	DefaultConsoleHistoryLimit = 100
	// MaxConsoleHistoryLimit is the largest page: a larger Limit is ErrInvalid rather than
	// clamped, so a client learns that it did not get what it asked for.
	MaxConsoleHistoryLimit = 1000
	// MaxConsoleLineLen bounds a stored line (a txn with its compares and requests fits).
	MaxConsoleLineLen = 64 << 10
	// MaxConsoleSearchLen bounds ConsoleHistoryFilter.Contains.
	MaxConsoleSearchLen = 1024
	// DefaultConsoleHistoryPerUser is how many entries a user keeps unless the backend is
	// opened with another bound: appending past it drops that user's oldest entries, so
	// history cannot grow without bound.
	DefaultConsoleHistoryPerUser = 10000
)

// PrepareConsoleEntry validates e and fills in its id and time (now when zero). Lines are
// text: bytes that are not UTF-8, and NULs, are replaced with U+FFFD. Backends call it in
// AppendConsoleEntry.
func PrepareConsoleEntry(e ConsoleEntry, now time.Time) (ConsoleEntry, error) {
	if e.ID == "" {
		e.ID = NewID()
	}
	if e.Time.IsZero() {
		e.Time = now
	}
	e.Time = NormalizeTime(e.Time)
	e.Line = cleanText(e.Line)
	if err := CheckConsoleUser(e.User); err != nil {
		return e, fmt.Errorf("console entry: %w", err)
	}
	switch {
	case len(e.ID) > MaxAuditTextLen || cleanText(e.ID) != e.ID:
		return e, fmt.Errorf("console entry: id: over %d bytes or not UTF-8 text: %w", MaxAuditTextLen, ErrInvalid)
	case len(e.Cluster) > MaxAuditTextLen || cleanText(e.Cluster) != e.Cluster:
		return e, fmt.Errorf("console entry: cluster: over %d bytes or not UTF-8 text: %w", MaxAuditTextLen, ErrInvalid)
	case e.Line == "":
		return e, fmt.Errorf("console entry: line is empty: %w", ErrInvalid)
	case len(e.Line) > MaxConsoleLineLen:
		return e, fmt.Errorf("console entry: line is %d bytes, over %d: %w", len(e.Line), MaxConsoleLineLen, ErrInvalid)
	case e.Duration < 0:
		return e, fmt.Errorf("console entry: negative duration: %w", ErrInvalid)
	}
	return e, nil
}

// CheckConsoleUser validates the user a history or its settings belong to: not empty, at most
// MaxAuditTextLen bytes of UTF-8 text without NUL.
func CheckConsoleUser(user string) error {
	switch {
	case user == "":
		return fmt.Errorf("user is empty: %w", ErrInvalid)
	case len(user) > MaxAuditTextLen || cleanText(user) != user:
		return fmt.Errorf("user: over %d bytes or not UTF-8 text: %w", MaxAuditTextLen, ErrInvalid)
	}
	return nil
}

// CheckConsoleHistoryFilter validates f and returns its page size and cursor position.
func CheckConsoleHistoryFilter(f ConsoleHistoryFilter) (limit int, cur ConsoleCursor, hasCur bool, err error) {
	if err := CheckConsoleUser(f.User); err != nil {
		return 0, cur, false, fmt.Errorf("console history: %w", err)
	}
	switch {
	case f.Limit < 0:
		return 0, cur, false, fmt.Errorf("console history: limit %d is negative: %w", f.Limit, ErrInvalid)
	case f.Limit > MaxConsoleHistoryLimit:
		return 0, cur, false, fmt.Errorf("console history: limit %d is over %d: %w", f.Limit, MaxConsoleHistoryLimit, ErrInvalid)
	case len(f.Contains) > MaxConsoleSearchLen:
		return 0, cur, false, fmt.Errorf("console history: search text is over %d bytes: %w", MaxConsoleSearchLen, ErrInvalid)
	}
	limit = f.Limit
	if limit == 0 {
		limit = DefaultConsoleHistoryLimit
	}
	cur, hasCur, err = ParseConsoleCursor(f.Cursor)
	return limit, cur, hasCur, err
}

// MatchesConsoleEntry reports whether e passes f's cluster and text filters (not its user or
// cursor): Contains is matched case-insensitively.
func (f ConsoleHistoryFilter) MatchesConsoleEntry(e ConsoleEntry) bool {
	return (f.Cluster == "" || e.Cluster == f.Cluster) && (len(f.Clusters) == 0 || slices.Contains(f.Clusters, e.Cluster)) &&
		(f.Contains == "" || strings.Contains(strings.ToLower(e.Line), strings.ToLower(f.Contains)))
}

// ConsoleCursor is the position after which a page of history starts: entries are ordered by
// Time then ID, both descending.
type ConsoleCursor struct {
	Time time.Time
	ID   string
}

// ConsoleCursorAfter is the cursor that continues a page ending with e.
func ConsoleCursorAfter(e ConsoleEntry) ConsoleCursor { return ConsoleCursor{Time: e.Time, ID: e.ID} }

// Encode returns the cursor as ConsoleHistoryPage.Next.
func (c ConsoleCursor) Encode() string {
	return strconv.FormatInt(c.Time.UnixMicro(), 10) + "." + c.ID
}

// Before reports whether e comes after the cursor in list order.
func (c ConsoleCursor) Before(e ConsoleEntry) bool {
	if !e.Time.Equal(c.Time) {
		return e.Time.Before(c.Time)
	}
	return e.ID < c.ID
}

// ParseConsoleCursor parses ConsoleHistoryFilter.Cursor (ok false when empty).
func ParseConsoleCursor(s string) (c ConsoleCursor, ok bool, err error) {
	if s == "" {
		return c, false, nil
	}
	us, id, found := strings.Cut(s, ".")
	n, perr := strconv.ParseInt(us, 10, 64)
	if !found || perr != nil || id == "" || len(s) > 2*MaxAuditTextLen {
		return c, false, fmt.Errorf("console history cursor %.40q: not a cursor this API gave: %w", s, ErrInvalid)
	}
	return ConsoleCursor{Time: time.UnixMicro(n).UTC(), ID: id}, true, nil
}
