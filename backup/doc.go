// Package backup is the backup engine: it streams etcd snapshots from a healthy member into a
// location (package location), encrypted when configured, and proves they restore — verification
// of the stored copy, restore drills in a throwaway member, data directories for disaster
// recovery — and watches locations that other tools fill. Each operation returns a JSON-able
// record; the jobs that run them store the records and act on them, nothing more.
package backup
