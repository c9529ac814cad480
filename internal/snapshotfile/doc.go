// Package snapshotfile is the one place that knows how snapshot files are kept in the shared
// snapshot directory: their names, how one is written (a temporary file, fsync, then a link
// to its name, so a partial file never looks like a snapshot), the metadata beside them and
// their status as etcd's own snapshot code reads it. opsproxy's snapshot endpoints and the
// snapshot job kind both use it, so a snapshot saved by either is listed and restorable by the
// other; the backup engine reads snapshot status and sha256 with it.
package snapshotfile
