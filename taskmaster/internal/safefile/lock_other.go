//go:build !unix

package safefile

import (
	"fmt"
	"runtime"
)

// WithLock is not available on this platform: taskmaster relies on flock(2).
func WithLock(dir string, fn func() error) error {
	return fmt.Errorf("lock %s: file locking is not supported on %s", dir, runtime.GOOS)
}
