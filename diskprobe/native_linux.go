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

// fdatasyncRaw is fdatasync as a raw system call: Go's scheduler is not told the thread is in
// a system call, which saves the bookkeeping around each sync (20–50 µs at the tail on a fast
// disk, the gap to fio's figures) at the price of holding the thread's P, so that a sync that
// never returns stalls the whole process, garbage collection included. Only the one-shot probe
// uses it (Options.RawSync); the agent, which serves /metrics meanwhile, does not.
func fdatasyncRaw(f *os.File) error {
	fd := f.Fd()
	for {
		_, _, errno := unix.RawSyscall(unix.SYS_FDATASYNC, fd, 0, 0)
		switch errno {
		case 0:
			return nil
		case unix.EINTR:
			continue
		default:
			return errno
		}
	}
}
