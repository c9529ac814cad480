//go:build unix

package safefile

import (
	"fmt"
	"os"
	"syscall"
)

// WithLock runs fn while holding an exclusive flock(2) on dir, waiting for other holders.
// The lock is on the directory itself, so it leaves no lock file behind and is released by
// the kernel if the process dies.
func WithLock(dir string, fn func() error) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s for locking: %w", dir, err)
	}
	defer d.Close()
	for {
		err = syscall.Flock(int(d.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("lock %s: %w", dir, err)
	}
	defer syscall.Flock(int(d.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing d releases it too
	return fn()
}
