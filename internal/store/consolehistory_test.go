package store

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPrepareConsoleEntryBoundsTheLine(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 123456789, time.UTC)
	e, err := PrepareConsoleEntry(ConsoleEntry{User: "alice", Line: strings.Repeat("v", MaxConsoleLineLen)}, now)
	if err != nil || len(e.Line) != MaxConsoleLineLen || e.ID == "" || !e.Time.Equal(NormalizeTime(now)) {
		t.Fatalf("a line of exactly %d bytes: %v (id %q, time %v)", MaxConsoleLineLen, err, e.ID, e.Time)
	}
	if _, err := PrepareConsoleEntry(ConsoleEntry{User: "alice", Line: strings.Repeat("v", MaxConsoleLineLen+1)}, now); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a line of %d bytes: %v, want ErrInvalid", MaxConsoleLineLen+1, err)
	}
}

func TestConsoleCursorRoundTrips(t *testing.T) {
	c := ConsoleCursorAfter(ConsoleEntry{ID: "abc.def", Time: time.Date(2026, 12, 6, 12, 0, 0, 123456000, time.UTC)})
	got, ok, err := ParseConsoleCursor(c.Encode())
	if err != nil || !ok || got != c {
		t.Fatalf("cursor %q read back as %+v, %v, %v", c.Encode(), got, ok, err)
	}
	for _, bad := range []string{"x", "1.", ".id", "12x.id", strings.Repeat("1", 600) + ".id"} {
		if _, _, err := ParseConsoleCursor(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("cursor %q: %v, want ErrInvalid", bad, err)
		}
	}
}
