package backup

import (
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
)

// List is a location's backups, newest first: what opsproxy's GET /clusters/{cluster}/backups
// answers and `etcd-monitor backup list -w json` prints, one shape for both.
type List struct {
	Backups []Summary `json:"backups"`
}

// Summary is one backup in a list: the object in the location joined with what the backup events
// say of it. SnapshotSize, Revision and KeyCount are 0 when unknown: KeyCount (the live keys at
// Revision) is recorded only for backups etcd-monitor made, and SnapshotSize and Revision of
// another tool's backups once one was verified. Without the events (`etcd-monitor backup list`
// reads the location alone) they are 0, Verified and Drill null and JobID empty.
type Summary struct {
	// Location is the location's name in the configuration.
	Location     string    `json:"location"`
	Name         string    `json:"name"`
	Size         int64     `json:"size"`
	SnapshotSize int64     `json:"snapshot_size"`
	CreatedAt    time.Time `json:"created_at"`
	Encrypted    bool      `json:"encrypted"`
	External     bool      `json:"external"`
	Revision     int64     `json:"revision"`
	KeyCount     int64     `json:"key_count"`
	// Verified and Drill are the latest verification and restore drill; null when none.
	Verified *Check `json:"verified"`
	Drill    *Check `json:"drill"`
	// JobID is the job that made the backup (empty for another tool's).
	JobID string `json:"job_id"`
}

// Check is the latest verification or restore drill of a backup.
type Check struct {
	OK    bool      `json:"ok"`
	At    time.Time `json:"at"`
	Error string    `json:"error"`
}

// SummaryOf is what the listing alone says of the object o in the location called locationName
// (external when another tool fills it). Encryption is read from the name until a verification
// or the backup's record says more.
func SummaryOf(locationName string, external bool, o location.Object) Summary {
	return Summary{Location: locationName, Name: o.Name, Size: o.Size, CreatedAt: o.ModTime, External: external,
		Encrypted: strings.HasSuffix(o.Name, encryptedSuffix)}
}
