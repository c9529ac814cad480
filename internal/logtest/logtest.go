// Package logtest keeps a test's log output in memory, safe for concurrent writers: tests read it
// back (to check that no secret was logged) and show it when they fail.
package logtest

import (
	"bytes"
	"sync"
)

// Buffer collects log output written from many goroutines.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
