package location

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
)

// tempPrefix starts the name of every file being written; no backup name starts with a dot.
const tempPrefix = ".part-"

// Dir is a local or mounted directory. It must exist: a missing directory is an error, never
// created, so that a backup to an unmounted volume fails instead of filling the root disk.
type Dir struct {
	path string
}

// NewDir returns the directory location at path (made absolute).
func NewDir(path string) (*Dir, error) {
	if path == "" {
		return nil, errors.New("path: must not be empty")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("path %q: %w", path, err)
	}
	return &Dir{path: abs}, nil
}

func (d *Dir) String() string { return "dir " + d.path }

// Path is the file of the object called name.
func (d *Dir) Path(name string) string { return filepath.Join(d.path, name) }

func (d *Dir) check() error {
	fi, err := os.Stat(d.path)
	if err != nil {
		return fmt.Errorf("backup location %s: %w", d.path, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("backup location %s: not a directory", d.path)
	}
	return nil
}

// Put writes r to a temporary file in the directory (so the rename stays on one file system),
// fsyncs it, links it to name and fsyncs the directory, with snapshotfile.Store.
func (d *Dir) Put(ctx context.Context, name string, r io.Reader) (int64, error) {
	if err := snapshotfile.CheckName("name", name); err != nil {
		return 0, err
	}
	if err := d.check(); err != nil {
		return 0, err
	}
	n, err := snapshotfile.Store(d.path, name, ctxReader{ctx: ctx, r: r})
	if errors.Is(err, snapshotfile.ErrExists) {
		return 0, fmt.Errorf("backup %s in %s: %w", name, d, ErrExists)
	}
	if err != nil {
		return 0, fmt.Errorf("write %s in %s: %w", name, d, err)
	}
	return n, nil
}

func (d *Dir) Open(_ context.Context, name string) (io.ReadCloser, error) {
	if !validListed(name) {
		return nil, fmt.Errorf("name %q: not a backup name", name)
	}
	f, err := os.Open(d.Path(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("backup %s in %s: %w", name, d, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", d.Path(name), err)
	}
	return f, nil
}

func (d *Dir) List(_ context.Context) ([]Object, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", d, err)
	}
	var out []Object
	for _, e := range entries {
		if !e.Type().IsRegular() || !validListed(e.Name()) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed since ReadDir
		}
		out = append(out, Object{Name: e.Name(), Size: fi.Size(), ModTime: fi.ModTime().UTC()})
	}
	return out, nil
}

func (d *Dir) Delete(_ context.Context, name string) error {
	if !validListed(name) {
		return fmt.Errorf("name %q: not a backup name", name)
	}
	err := os.Remove(d.Path(name))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup %s in %s: %w", name, d, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete %s: %w", d.Path(name), err)
	}
	return nil
}

func (d *Dir) CleanLeftovers(_ context.Context, age time.Duration) (int, error) {
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return 0, fmt.Errorf("list %s: %w", d, err)
	}
	removed := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		fi, err := e.Info()
		if err != nil || time.Since(fi.ModTime()) < age {
			continue
		}
		if err := os.Remove(filepath.Join(d.path, e.Name())); err == nil {
			removed++
		}
	}
	return removed, nil
}

// validListed reports whether name may be an object of a location: a plain file name that is not
// hidden (temporary files and metadata start with a dot).
func validListed(name string) bool {
	return name != "" && !strings.HasPrefix(name, ".") && !strings.ContainsAny(name, `/\`) && len(name) <= 255
}

// ctxReader ends a read when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
