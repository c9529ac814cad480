package jobkinds

import (
	"fmt"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/defrag"
)

// roomForCopy says whether a member's disk has room for the copy of its database that a
// defragmentation writes (about dbSizeInUse bytes, beside the current file until the swap).
// etcd does not report free disk space: it is known only where Deps.DiskFree can see the
// member's data directory. Elsewhere the disk is taken to be sized for at least the quota, as
// etcd's documentation asks, so the copy fits when dbSize + dbSizeInUse <= dbQuota; a job may
// instead assume room.
func (d Deps) roomForCopy(cluster, member string, s defrag.Sizes, assume bool) (bool, string) {
	if d.DiskFree != nil {
		if free, ok := d.DiskFree(cluster, member); ok {
			if free < s.DBSizeInUse {
				return false, fmt.Sprintf("no room for a copy of the database: the disk has %d bytes free, the copy needs %d", free, s.DBSizeInUse)
			}
			return true, ""
		}
	}
	if assume {
		return true, ""
	}
	quota := s.DBQuota
	if quota <= 0 {
		quota = defrag.DefaultQuotaBytes
	}
	if s.DBSize+s.DBSizeInUse > quota {
		return false, fmt.Sprintf("free disk space is unknown (etcd does not report it) and a copy of the database (%d bytes) does not fit in the quota headroom (%d bytes); set assume_disk_room when the disk has room",
			s.DBSizeInUse, quota-s.DBSize)
	}
	return true, ""
}
