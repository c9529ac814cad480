package location

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrExists is returned by Put when an object of that name exists: backups are never overwritten.
var ErrExists = errors.New("already exists")

// ErrNotFound is returned by Open and Delete for a name the location does not hold.
var ErrNotFound = errors.New("not found")

// Object is one complete object of a location.
type Object struct {
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time"`
}

// Location is a place backups are kept. Names are plain names, never paths. Implementations are
// safe for concurrent use.
type Location interface {
	// String names the location in errors and records ("dir /var/backups/etcd",
	// "s3://bucket/prefix/"); it never holds a secret.
	String() string
	// Put stores what r yields under name, atomically: on any error (r failing, ctx ending, the
	// location failing) nothing is left under name, and nothing of the attempt stays behind. It
	// returns the number of bytes stored. A name that exists is ErrExists.
	Put(ctx context.Context, name string, r io.Reader) (int64, error)
	// Open reads the object called name.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// List returns every complete object, in no particular order; leftovers of interrupted
	// writes are not listed.
	List(ctx context.Context) ([]Object, error)
	// Delete removes the object called name.
	Delete(ctx context.Context, name string) error
	// CleanLeftovers removes what interrupted writes (a crashed process) left behind and is
	// older than age, and returns how many it removed.
	CleanLeftovers(ctx context.Context, age time.Duration) (int, error)
}

// LocalPath is implemented by locations whose objects are files on this machine; readers that
// need a file (etcd's snapshot code) may then use it in place instead of copying it.
type LocalPath interface {
	Path(name string) string
}
