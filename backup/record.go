package backup

import (
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
)

// Record is what Backup made: the object in the location, where its snapshot came from, its
// digests and etcd's snapshot status, and what a restore of it must reproduce. The job that runs a
// backup stores it as its result; Verify and Drill take it back to check the stored copy against it.
type Record struct {
	Cluster  string `json:"cluster"`
	Location string `json:"location"`
	Name     string `json:"name"`
	// Member is the member the snapshot was streamed from.
	Member     string    `json:"member"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// SnapshotSize and SHA256 are of the plaintext snapshot, as etcd sent it.
	SnapshotSize int64  `json:"snapshot_size"`
	SHA256       string `json:"sha256"`
	// Size and StoredSHA256 are of the stored object (the same as the snapshot's unless it is
	// encrypted).
	Size         int64  `json:"size"`
	StoredSHA256 string `json:"stored_sha256"`
	Encrypted    bool   `json:"encrypted"`
	// Status is what etcdutl snapshot status says of the snapshot.
	Status snapshotfile.Status `json:"status"`
	// Restore is what a member restored from the snapshot must show.
	Restore RestoreTarget `json:"restore"`
	// Verification is the check of the stored copy made right after it was stored.
	Verification VerifyRecord `json:"verification"`
	// SaveSeconds is how long streaming the snapshot into the location took (the part that
	// etcdctl snapshot save does), VerifySeconds how long reading it back and checking it took.
	SaveSeconds   float64 `json:"save_seconds"`
	VerifySeconds float64 `json:"verify_seconds"`
	// Attempts lists the members tried before the one that succeeded, with why each failed.
	Attempts []Attempt `json:"attempts,omitempty"`
}

// RestoreTarget is what the source member showed at the snapshot's revision: snapshot status
// counts every revision of every key and hashes the file, so a restore is checked against these.
type RestoreTarget struct {
	Revision        int64  `json:"revision"`
	HashKV          uint32 `json:"hash_kv"`
	CompactRevision int64  `json:"compact_revision"`
	// KeyCount is the number of live keys at Revision.
	KeyCount int64 `json:"key_count"`
}

// Attempt is one failed try of a backup.
type Attempt struct {
	Member string `json:"member"`
	Error  string `json:"error"`
}

// VerifyRecord is the result of reading a stored backup back: its digests, whether etcd's own
// integrity hash (appended to every snapshot etcd sends) matches, and its snapshot status.
type VerifyRecord struct {
	Location   string    `json:"location"`
	Name       string    `json:"name"`
	VerifiedAt time.Time `json:"verified_at"`
	OK         bool      `json:"ok"`
	// Error says why verification failed, naming the file.
	Error        string `json:"error,omitempty"`
	Size         int64  `json:"size"`
	StoredSHA256 string `json:"stored_sha256,omitempty"`
	SnapshotSize int64  `json:"snapshot_size"`
	SHA256       string `json:"sha256,omitempty"`
	Encrypted    bool   `json:"encrypted"`
	// Checksum is true when the snapshot carries etcd's integrity hash (snapshots streamed from
	// a member do; a db file copied from a data directory does not) and it matched.
	Checksum bool                 `json:"checksum"`
	Status   *snapshotfile.Status `json:"status,omitempty"`
}

// DrillRecord is the result of a restore drill: the backup restored with etcd's restore code,
// served by a throwaway member, and compared with what its Record says a restore must show.
type DrillRecord struct {
	Location   string    `json:"location"`
	Name       string    `json:"name"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	OK         bool      `json:"ok"`
	// Error says why the drill failed.
	Error string `json:"error,omitempty"`
	// Want is what the backup's record says; Got what the restored member showed.
	Want RestoreTarget `json:"want"`
	Got  RestoreTarget `json:"got"`
}

// RetentionRecord is what ApplyRetention kept and deleted.
type RetentionRecord struct {
	Location string   `json:"location"`
	Kept     []string `json:"kept"`
	Deleted  []string `json:"deleted"`
	// Protected is the newest verified backup, kept whatever the policy says.
	Protected string `json:"protected,omitempty"`
}

// InspectRecord is what Inspect saw of a location: how many backups, the newest one's age and
// size, and the verification of the newest.
type InspectRecord struct {
	Location    string           `json:"location"`
	InspectedAt time.Time        `json:"inspected_at"`
	Count       int              `json:"count"`
	TotalSize   int64            `json:"total_size"`
	Newest      *location.Object `json:"newest,omitempty"`
	// NewestAgeSeconds is the newest backup's age when inspected.
	NewestAgeSeconds float64 `json:"newest_age_seconds"`
	// Previous is the one before the newest: a newest much smaller than it is the classic sign
	// of backing up the wrong thing.
	Previous     *location.Object `json:"previous,omitempty"`
	Verification *VerifyRecord    `json:"verification,omitempty"`
}

// RecoverRecord is what Recover wrote: one new data directory per member.
type RecoverRecord struct {
	Name          string              `json:"name"`
	DataDirs      map[string]string   `json:"data_dirs"`
	BumpRevision  uint64              `json:"bump_revision,omitempty"`
	MarkCompacted bool                `json:"mark_compacted,omitempty"`
	Status        snapshotfile.Status `json:"status"`
}
