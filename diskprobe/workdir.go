package diskprobe

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WorkDirPrefix starts the name of every probe's own subdirectory:
// .etcd-monitor-diskprobe-<pid>-<random>. Nothing is written outside it.
const WorkDirPrefix = ".etcd-monitor-diskprobe-"

// checkDir refuses a missing directory or a file where a directory is expected.
func checkDir(field, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fieldErr(field, "%s does not exist", dir)
	case err != nil:
		return fieldErr(field, "%w", err)
	case !fi.IsDir():
		return fieldErr(field, "%s is not a directory", dir)
	}
	return nil
}

// makeWorkDir creates the probe's own subdirectory of dir.
func makeWorkDir(dir string) (string, error) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	path := filepath.Join(dir, fmt.Sprintf("%s%d-%s", WorkDirPrefix, os.Getpid(), hex.EncodeToString(b[:])))
	if err := os.Mkdir(path, 0o700); err != nil {
		if errors.Is(err, fs.ErrPermission) || isReadOnly(err) {
			return "", fieldErr("dir", "%s is not writable: %w", dir, err)
		}
		return "", fmt.Errorf("make the probe's directory: %w", err)
	}
	return path, nil
}

// removeLeftovers removes the subdirectories a crashed probe left in dir: those named for a
// process that no longer runs. It never follows a symlink and never touches other names.
func removeLeftovers(dir string, logger *slog.Logger) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		pid, ok := leftoverPID(e.Name())
		if !ok || e.Type()&fs.ModeSymlink != 0 || !e.IsDir() || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if err := os.RemoveAll(path); err != nil {
			logger.Warn("cannot remove a crashed probe's directory", "path", path, "err", err)
			continue
		}
		logger.Info("removed a crashed probe's directory", "path", path, "pid", pid)
		removed = append(removed, path)
	}
	return removed
}

// leftoverPID parses the pid out of a probe directory's name.
func leftoverPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, WorkDirPrefix)
	if !ok {
		return 0, false
	}
	pidText, suffix, ok := strings.Cut(rest, "-")
	if !ok || len(suffix) != 8 {
		return 0, false
	}
	if _, err := hex.DecodeString(suffix); err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(pidText)
	return pid, err == nil && pid > 0
}
