package opsproxy

import (
	"context"
	"time"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/backupsched"
)

// syncBackupSchedules makes the schedules of the backups section those of the configuration
// served now, at start and after each reload. A failure (the store down) is logged and tried
// again at the next reload or start; the schedules already stored go on firing meanwhile.
func (s *Server) syncBackupSchedules(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	rep, err := backupsched.Sync(ctx, s.store, s.core.Config().Backups)
	if err != nil {
		s.logger.Error("backup schedules not brought in line with the configuration; trying again at the next reload", "err", err)
	}
	if len(rep.Created)+len(rep.Replaced)+len(rep.Deleted) > 0 {
		s.logger.Info("backup schedules brought in line with the configuration", "created", rep.Created, "replaced", rep.Replaced,
			"deleted", rep.Deleted, "kept", rep.Kept)
	}
}
