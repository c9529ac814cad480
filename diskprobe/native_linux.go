//go:build linux

package diskprobe

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

const nativeSupported = true

// preallocate reserves size bytes and extends the file to them, as etcd's
// fileutil.Preallocate(f, size, true) does: fallocate mode 0, or, where the filesystem does
// not support it, extending the file with ftruncate.
func preallocate(f *os.File, size int64) error {
	err := unix.Fallocate(int(f.Fd()), 0, 0, size)
	if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINTR) {
		return f.Truncate(size)
	}
	return err
}

// fdatasync flushes the file's data (and the metadata needed to read it), as etcd's WAL
// does after each batch of records (fileutil.Fdatasync).
func fdatasync(f *os.File) error {
	for {
		err := unix.Fdatasync(int(f.Fd()))
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
