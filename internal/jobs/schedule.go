package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// SchedulerStore is what a Scheduler needs of the history store: the
// schedules, and the job records it creates.
type SchedulerStore interface {
	store.JobStore
	store.ScheduleStore
}

// SchedulerOptions tune a Scheduler. Zero values pick the defaults.
type SchedulerOptions struct {
	// Interval is the time between ticks (default 15s). A slot fires at
	// the first tick at or after it.
	Interval time.Duration
	// StartingDeadline is how late a slot may fire (default 1h). For a
	// schedule whose period is shorter the latest due slot is always
	// within its period, since the slot after it is not due yet: the
	// period bounds the lateness without a check of its own.
	StartingDeadline time.Duration
	// Now is the clock slots are compared with (default time.Now).
	Now func() time.Time
	// Metrics, when set, are updated; the caller registers them.
	Metrics *ScheduleMetrics
	Logger  *slog.Logger
}

// Scheduler fires the jobs of the schedules in the store, once per slot
// however many schedulers (one per replica) share the store and the queue.
// See the package documentation for the rules.
type Scheduler struct {
	st      SchedulerStore
	q       Queue
	kinds   map[string]Kind
	opts    SchedulerOptions
	metrics *ScheduleMetrics
	log     *slog.Logger

	mu       sync.Mutex
	reported map[string]string // schedule id → the problem last logged for it
}

// ScheduleReport counts what one tick did.
type ScheduleReport struct {
	Checked int   // unpaused schedules looked at
	Fired   int   // slots this scheduler fired a job for and recorded
	Missed  int64 // slots it skipped and counted under the missed-slot rule
	Failed  int   // due schedules it could not fire or record
}

// NewScheduler returns a scheduler of the schedules in st that submits
// their jobs to q. Schedules of a kind not in kinds are not fired.
func NewScheduler(st SchedulerStore, q Queue, kinds []Kind, opts SchedulerOptions) *Scheduler {
	if opts.Interval <= 0 {
		opts.Interval = 15 * time.Second
	}
	if opts.StartingDeadline <= 0 {
		opts.StartingDeadline = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := opts.Metrics
	if m == nil {
		m = NewScheduleMetrics()
	}
	m.initKinds(kinds)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	byName := make(map[string]Kind, len(kinds))
	for _, k := range kinds {
		byName[k.Name] = k
	}
	return &Scheduler{st: st, q: q, kinds: byName, opts: opts, metrics: m, log: log, reported: map[string]string{}}
}

// Run ticks at start and then every Interval until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("schedules not read; trying again at the next tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick fires every due slot of every unpaused schedule once, at the time
// of the clock. Its error says the schedules could not be listed; a
// schedule's own problem is logged, counted and tried again next tick.
func (s *Scheduler) Tick(ctx context.Context) (ScheduleReport, error) {
	all, err := s.listAll(ctx)
	if err != nil {
		s.metrics.errors.WithLabelValues(ScheduleErrStore).Inc()
		return ScheduleReport{}, err
	}
	now := s.opts.Now()
	var rep ScheduleReport
	paused := 0
	for _, sc := range all {
		if sc.Paused {
			paused++
			continue
		}
		rep.Checked++
		s.fireDue(ctx, sc, now, &rep)
	}
	s.metrics.defined.Set(float64(len(all)))
	s.metrics.paused.Set(float64(paused))
	s.forgetReported(all)
	return rep, nil
}

func (s *Scheduler) listAll(ctx context.Context) ([]store.Schedule, error) {
	var all []store.Schedule
	f := store.ScheduleFilter{Limit: store.MaxJobLimit}
	for {
		page, err := s.st.ListSchedules(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Schedules...)
		if page.Next == "" {
			return all, nil
		}
		f.Cursor = page.Next
	}
}

// fireDue applies the missed-slot rule to sc at now: the latest due slot
// fires when it is within the starting deadline and is skipped otherwise;
// the due slots before it are skipped. Skipped slots are counted.
func (s *Scheduler) fireDue(ctx context.Context, sc store.Schedule, now time.Time, rep *ScheduleReport) {
	sched, err := parseCron(sc.Cron, sc.Timezone)
	if err != nil {
		s.problem(sc, ScheduleErrInvalid, err, rep)
		return
	}
	slot, earlier := dueSlots(sched, scheduleBase(sc.LastSlot, sc.UpdatedAt), now)
	if slot.IsZero() {
		return
	}
	if now.Sub(slot) > s.opts.StartingDeadline {
		s.advance(ctx, sc, slot, "", earlier+1, rep)
		return
	}
	k, ok := s.kinds[sc.Kind]
	if !ok {
		s.problem(sc, ScheduleErrUnknownKind, errors.New("kind "+sc.Kind+" is unknown to this scheduler"), rep)
		return
	}
	if err := validateParameters(k, sc.Parameters); err != nil {
		s.problem(sc, ScheduleErrInvalid, err, rep)
		return
	}
	job, err := Submit(ctx, s.st, s.q, SlotJob(sc, slot))
	switch {
	case err != nil && job.ID == "":
		s.problem(sc, ScheduleErrStore, err, rep)
		return
	case err != nil:
		// Recorded, not enqueued: the Reconciler enqueues it later.
		s.metrics.errors.WithLabelValues(ScheduleErrQueue).Inc()
		s.log.Warn("scheduled job recorded but not enqueued; the reconciler will enqueue it",
			"schedule", sc.ID, "name", sc.Name, "cluster", sc.Cluster, "job", job.ID, "err", err)
	}
	s.advance(ctx, sc, slot, job.ID, earlier, rep)
}

// advance records slot as dealt with (fired as jobID, or skipped when
// jobID is empty) with missed skipped slots, and counts what this
// scheduler did; a scheduler that loses the race to another counts
// nothing.
func (s *Scheduler) advance(ctx context.Context, sc store.Schedule, slot time.Time, jobID string, missed int64, rep *ScheduleReport) {
	ok, err := s.st.AdvanceSchedule(ctx, sc.ID, slot, jobID, missed)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return // deleted since the list
	case err != nil:
		s.problem(sc, ScheduleErrStore, err, rep)
		return
	case !ok:
		return // another scheduler recorded this slot first
	}
	s.metrics.missed.WithLabelValues(sc.Kind).Add(float64(missed))
	rep.Missed += missed
	if jobID == "" {
		s.log.Warn("scheduled slot skipped: past its starting deadline", "schedule", sc.ID, "name", sc.Name,
			"cluster", sc.Cluster, "slot", slot, "missed", missed)
		return
	}
	s.metrics.fired.WithLabelValues(sc.Kind).Inc()
	rep.Fired++
	s.log.Info("scheduled job fired", "schedule", sc.ID, "name", sc.Name, "cluster", sc.Cluster, "kind", sc.Kind,
		"slot", slot, "job", jobID, "missed", missed)
	s.mu.Lock()
	delete(s.reported, sc.ID)
	s.mu.Unlock()
}

// problem counts a due slot that could not be fired or recorded, and logs
// it unless the same problem of the same schedule was logged last.
func (s *Scheduler) problem(sc store.Schedule, reason string, err error, rep *ScheduleReport) {
	rep.Failed++
	s.metrics.errors.WithLabelValues(reason).Inc()
	s.mu.Lock()
	defer s.mu.Unlock()
	what := reason + ": " + err.Error()
	if s.reported[sc.ID] == what {
		return
	}
	s.reported[sc.ID] = what
	s.log.Error("scheduled job not fired; trying again at the next tick", "schedule", sc.ID, "name", sc.Name,
		"cluster", sc.Cluster, "kind", sc.Kind, "reason", reason, "err", err)
}

// forgetReported drops the logged problems of schedules that are gone.
func (s *Scheduler) forgetReported(all []store.Schedule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reported) == 0 {
		return
	}
	ids := make(map[string]bool, len(all))
	for _, sc := range all {
		ids[sc.ID] = true
	}
	for id := range s.reported {
		if !ids[id] {
			delete(s.reported, id)
		}
	}
}
