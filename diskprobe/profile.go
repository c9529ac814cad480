package diskprobe

import (
	"fmt"
	"time"
)

// Profiles are the named jobs.
var profiles = map[string]Job{
	// etcd's documentation: fio --rw=write --ioengine=sync --fdatasync=1 --size=22m --bs=2300,
	// written into a segment preallocated as etcd's WAL preallocates its 64 MiB segments.
	"etcd": {Profile: "etcd", BlockSize: 2300, Size: 22 << 20, Preallocate: 64 << 20},
	// OpenShift's etcd-perf: 8,000-byte writes over 100 MiB, time-based for 60 seconds.
	"openshift": {Profile: "openshift", BlockSize: 8000, Size: 100 << 20, Duration: 60 * time.Second, Preallocate: 100 << 20},
	// The agent's small periodic probe: about 900 syncs, preallocating only what it writes
	// (a 64 MiB segment every few minutes would be the probe's main cost to the member).
	"agent": {Profile: "agent", BlockSize: 2300, Size: 2 << 20, Preallocate: 2 << 20},
}

// ProfileNames lists the profiles.
var ProfileNames = []string{"etcd", "openshift", "agent"}

// ProfileJob returns the named profile's job: "etcd", "openshift" or "agent".
func ProfileJob(name string) (Job, error) {
	j, ok := profiles[name]
	if !ok {
		return Job{}, fieldErr("profile", "unknown profile %q (want etcd, openshift or agent)", name)
	}
	return j, nil
}

// FormatBytes prints a byte count in binary units (22.0 MiB).
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// withSize is the job writing size bytes: a profile that preallocates what it writes (agent,
// openshift) follows the size; the etcd profile keeps its 64 MiB segment, as etcd's WAL does.
func (j Job) withSize(size int64) Job {
	if j.Preallocate == j.Size {
		j.Preallocate = size
	}
	j.Size = size
	return j
}
