//go:build unix

package diskprobe

import (
	"errors"

	"golang.org/x/sys/unix"
)

// processAlive reports whether pid is a running process (EPERM: it runs as another user).
func processAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

func isReadOnly(err error) bool { return errors.Is(err, unix.EROFS) }
