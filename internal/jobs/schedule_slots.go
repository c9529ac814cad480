package jobs

import (
	"time"

	"github.com/robfig/cron/v3"
)

// dueSlots finds the slots of sched after base that are due at now: latest
// is the last of them (zero when none is due) and earlier counts the ones
// before it.
func dueSlots(sched cron.Schedule, base, now time.Time) (latest time.Time, earlier int64) {
	for next := sched.Next(base); !next.IsZero() && !next.After(now); next = sched.Next(next) {
		if !latest.IsZero() {
			earlier++
		}
		latest = next
	}
	return latest.UTC(), earlier
}

// scheduleBase is where a schedule's next slot is looked for: after the
// last slot dealt with, or after its creation or last resume, whichever is
// later. Slots that passed while it was paused are thus never due.
func scheduleBase(lastSlot, updatedAt time.Time) time.Time {
	if lastSlot.After(updatedAt) {
		return lastSlot
	}
	return updatedAt
}
