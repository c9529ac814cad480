package auditlog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFile is held (flock, exclusive) by the process whose spool a directory is, so that two
// opsproxy replicas configured with one audit.spool_dir refuse to start instead of writing
// over each other's records. The kernel releases it when the process ends.
const lockFile = "lock"

// lockDir takes the directory's lock without waiting.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("in use by another process (each opsproxy needs an audit.spool_dir of its own)")
		}
		return nil, err
	}
	return f, nil
}
