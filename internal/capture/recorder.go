package capture

import (
	"context"
	"fmt"
	"sync"
)

// recorder keeps what a server received and wakes waiters when more arrives.
type recorder[T any] struct {
	mu      sync.Mutex
	items   []T
	changed chan struct{} // closed and replaced on every add
}

func newRecorder[T any]() *recorder[T] {
	return &recorder[T]{changed: make(chan struct{})}
}

func (r *recorder[T]) add(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = append(r.items, v)
	close(r.changed)
	r.changed = make(chan struct{})
}

// all returns a copy of everything received so far.
func (r *recorder[T]) all() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.items...)
}

// waitFor blocks until an item matching match has arrived and returns the first such item.
func (r *recorder[T]) waitFor(ctx context.Context, what string, match func(T) bool) (T, error) {
	for {
		r.mu.Lock()
		for _, v := range r.items {
			if match(v) {
				r.mu.Unlock()
				return v, nil
			}
		}
		ch := r.changed
		n := len(r.items)
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			var zero T
			return zero, fmt.Errorf("waiting for %s (%d received, none matched): %w", what, n, ctx.Err())
		}
	}
}
