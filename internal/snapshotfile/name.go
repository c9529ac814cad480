package snapshotfile

import (
	"fmt"
	"regexp"
	"time"
)

// namePattern is what a snapshot file or restored data directory may be called: a plain name,
// never a path.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// ValidName reports whether name may name a snapshot.
func ValidName(name string) bool { return namePattern.MatchString(name) }

// CheckName returns an error naming field when name may not name a snapshot.
func CheckName(field, name string) error {
	if !ValidName(name) {
		return fmt.Errorf("%s %q: want letters, digits, '.', '_' or '-' (at most 128, not starting with a dot)", field, name)
	}
	return nil
}

// DefaultName is the name of a snapshot of a cluster's member saved at t, when none is given:
// <cluster>-<member>-<time>.db, or snapshot-<time>.db when those do not make a valid name.
func DefaultName(cluster, member string, t time.Time) string {
	stamp := t.UTC().Format("20060102T150405.000Z")
	if name := fmt.Sprintf("%s-%s-%s.db", cluster, member, stamp); ValidName(name) {
		return name
	}
	return fmt.Sprintf("snapshot-%s.db", stamp)
}
