// Package jobs runs long operations as jobs: a Queue that carries job ids
// (in-process by default, Redis Streams when configured) and a Runner whose
// workers claim each job's record in the history store under a fencing
// token, run the handler registered for its kind and finish it exactly once.
// A Reconciler, run by the Runner, repairs the queue from the records (the
// truth): queued jobs missing from it are enqueued again, jobs of workers
// lost with their lease are handed back or failed, under the fencing token.
//
// A Scheduler fires the jobs of schedules (store.Schedule: a kind, a
// cluster, parameters and a cron expression read in a time zone). Every
// replica may run one; each slot fires one job:
//
//   - the job of a slot has the idempotency key "schedule/<id>/<slot in Unix
//     seconds>", so schedulers that fire the same slot, or one that fires it
//     again after crashing between the submit and the record, get the same
//     job from the store;
//   - the slot is then recorded with store.ScheduleStore.AdvanceSchedule, a
//     compare-and-set on the schedule's last slot.
//
// Missed slots: a schedule's next slot is looked for after its last slot,
// or after its creation or last resume when later. When several are due
// (the schedulers were down), only the most recent fires, and only when it
// is no older than the starting deadline (SchedulerOptions.StartingDeadline,
// default 1h, or the cron period when shorter, which the latest due slot
// never exceeds, the next one not being due yet); every older due slot, and
// the most recent one past the deadline, is skipped and counted in the
// schedule's MissedSlots and in etcd_monitor_jobs_schedule_missed_slots_total.
// Slots that pass while a schedule is paused are neither fired nor counted:
// a resumed schedule fires from its next slot on.
package jobs
