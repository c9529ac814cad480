package storehealth

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Tracker remembers whether the last store call reached the store, and since when that has
// been so. The zero value is not usable; make one with New. It is safe for concurrent use.
type Tracker struct {
	mu    sync.Mutex
	up    bool
	since time.Time
	now   func() time.Time
	// onChange, when set, is called (outside the lock) when the state flips.
	onChange func(up bool, err error)
}

// New returns a tracker that takes the store as reachable from now on; onChange (may be nil)
// is told when the state flips, with the error that made it go down.
func New(onChange func(up bool, err error)) *Tracker {
	return &Tracker{up: true, since: time.Now(), now: time.Now, onChange: onChange}
}

// IsOutage reports whether err means that the store could not be reached or did not answer,
// as opposed to an answer (not found, conflict, invalid argument) or a caller that gave up.
func IsOutage(err error) bool {
	switch {
	case err == nil,
		errors.Is(err, store.ErrNotFound),
		errors.Is(err, store.ErrConflict),
		errors.Is(err, store.ErrInvalid),
		errors.Is(err, context.Canceled):
		return false
	}
	return true
}

// Observe records the outcome of a store call: an outage error takes the store down, any
// other outcome (an answer, even "not found") takes it up.
func (t *Tracker) Observe(err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	up := !IsOutage(err)
	t.mu.Lock()
	changed := up != t.up
	if changed {
		t.up, t.since = up, t.now()
	}
	t.mu.Unlock()
	if changed && t.onChange != nil {
		t.onChange(up, err)
	}
}

// Up reports whether the store answered the last call.
func (t *Tracker) Up() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.up
}

// State reports whether the store is up and since when it has been in that state.
func (t *Tracker) State() (up bool, since time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.up, t.since
}
