package jobs

import (
	"fmt"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// SlotJob is the job that slot of sc fires. Its idempotency key is the
// schedule's id and the slot, so every replica, and a replica that fires a
// slot again after a crash, makes the same one job.
func SlotJob(sc store.Schedule, slot time.Time) store.Job {
	by := "schedule:" + sc.Name
	if sc.CreatedBy != "" {
		by += " (" + sc.CreatedBy + ")"
	}
	return store.Job{
		Kind:           sc.Kind,
		Cluster:        sc.Cluster,
		Parameters:     sc.Parameters,
		RequestedBy:    by,
		IdempotencyKey: SlotKey(sc.ID, slot),
	}
}

// SlotKey is the idempotency key of the job fired at slot by schedule id:
// "schedule/<id>/<slot in Unix seconds>".
func SlotKey(id string, slot time.Time) string {
	return fmt.Sprintf("schedule/%s/%d", id, slot.Unix())
}
