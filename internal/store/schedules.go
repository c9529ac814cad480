package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// ScheduleStore keeps schedules: recurring jobs fired from a cron
// expression. Several schedulers (one per replica) may share the store;
// AdvanceSchedule is their meeting point, a compare-and-set on the last
// slot, so that a slot is taken forward once.
type ScheduleStore interface {
	// CreateSchedule stores a new schedule, unpaused unless s.Paused, with
	// UpdatedAt = CreatedAt and no slot fired yet. The store checks only
	// that the fields are present and bounded (jobs.ValidateSchedule parses
	// the cron expression and the time zone). A schedule of the same name
	// on the same cluster gives ErrConflict.
	CreateSchedule(ctx context.Context, s Schedule) (Schedule, error)
	// Schedule returns the schedule with the given id.
	Schedule(ctx context.Context, id string) (Schedule, error)
	// ListSchedules returns a page of schedules matching f, newest first.
	ListSchedules(ctx context.Context, f ScheduleFilter) (SchedulePage, error)
	// SetSchedulePaused pauses or resumes a schedule. A change of state
	// sets UpdatedAt to at (zero: now), which is where a resumed schedule
	// starts looking for its next slot; setting the state it already has
	// changes nothing.
	SetSchedulePaused(ctx context.Context, id string, paused bool, at time.Time) (Schedule, error)
	// DeleteSchedule removes a schedule. Jobs it fired stay.
	DeleteSchedule(ctx context.Context, id string) error
	// AdvanceSchedule records that slot was dealt with: it sets LastSlot to
	// slot, LastJobID to jobID unless jobID is empty (the slot was skipped),
	// and adds missed to MissedSlots, only when slot is after LastSlot. It
	// reports whether it did; of several concurrent calls with one slot,
	// exactly one advances.
	AdvanceSchedule(ctx context.Context, id string, slot time.Time, jobID string, missed int64) (bool, error)
}

// Schedule is a recurring job: a job of Kind on Cluster with Parameters,
// fired at every slot of Cron in Timezone.
type Schedule struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Kind       string          `json:"kind"`
	Cluster    string          `json:"cluster"`
	Parameters json.RawMessage `json:"parameters"`
	// Cron is a standard 5-field expression or a descriptor (@daily,
	// @every 1h).
	Cron string `json:"cron"`
	// Timezone is the IANA zone Cron is read in (default UTC).
	Timezone  string    `json:"timezone"`
	Paused    bool      `json:"paused"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is the last change of state by a user: the creation, a
	// pause or a resume.
	UpdatedAt time.Time `json:"updated_at"`
	// LastSlot is the latest slot dealt with: fired, or skipped as missed.
	LastSlot time.Time `json:"last_slot,omitzero"`
	// LastJobID is the job of the latest slot that fired.
	LastJobID string `json:"last_job_id,omitempty"`
	// MissedSlots counts the slots skipped by the missed-slot rule.
	MissedSlots int64 `json:"missed_slots"`
}

// ScheduleFilter selects schedules. Zero fields do not filter.
type ScheduleFilter struct {
	Cluster string
	// Clusters, when not empty, keeps only the schedules of these clusters
	// (a token's scope).
	Clusters []string
	Kind     string
	// Paused, when set, keeps only the paused (true) or unpaused (false)
	// schedules.
	Paused *bool
	// Cursor is SchedulePage.Next of the previous page.
	Cursor string
	// Limit caps the page: 0 means DefaultJobLimit, at most MaxJobLimit.
	Limit int
}

// SchedulePage is one page of ListSchedules. Next is empty on the last page.
type SchedulePage struct {
	Schedules []Schedule `json:"schedules"`
	Next      string     `json:"next,omitempty"`
}

// DefaultTimezone is the zone of a schedule that names none.
const DefaultTimezone = "UTC"

// Schedule field bounds.
const (
	MaxScheduleIDLen   = 64
	MaxScheduleNameLen = 128
	MaxScheduleCronLen = 256
)

// Matches reports whether s passes f's field filters (not its cursor).
func (f ScheduleFilter) Matches(s Schedule) bool {
	return (f.Cluster == "" || s.Cluster == f.Cluster) && (len(f.Clusters) == 0 || slices.Contains(f.Clusters, s.Cluster)) &&
		(f.Kind == "" || s.Kind == f.Kind) &&
		(f.Paused == nil || s.Paused == *f.Paused)
}

// PrepareSchedule validates a new schedule and fills in its id, time zone,
// times and firing state. Backends call it in CreateSchedule.
func PrepareSchedule(s Schedule, now time.Time) (Schedule, error) {
	if s.ID == "" {
		s.ID = NewID()
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	s.CreatedAt = NormalizeTime(s.CreatedAt)
	s.UpdatedAt, s.LastSlot, s.LastJobID, s.MissedSlots = s.CreatedAt, time.Time{}, "", 0
	if s.Timezone == "" {
		s.Timezone = DefaultTimezone
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"id", s.ID, MaxScheduleIDLen}, {"name", s.Name, MaxScheduleNameLen},
		{"kind", s.Kind, MaxAuditTextLen}, {"cluster", s.Cluster, MaxAuditTextLen},
		{"cron", s.Cron, MaxScheduleCronLen}, {"timezone", s.Timezone, MaxAuditTextLen},
		{"created_by", s.CreatedBy, MaxAuditTextLen},
	} {
		switch {
		case f.value == "" && f.name != "created_by":
			return s, fmt.Errorf("schedule: %s: must not be empty: %w", f.name, ErrInvalid)
		case len(f.value) > f.max:
			return s, fmt.Errorf("schedule: %s: over %d bytes: %w", f.name, f.max, ErrInvalid)
		case cleanText(f.value) != f.value:
			return s, fmt.Errorf("schedule: %s: not valid UTF-8 text without NUL: %w", f.name, ErrInvalid)
		}
	}
	var err error
	if s.Parameters, err = jsonObject(s.Parameters); err != nil {
		return s, fmt.Errorf("schedule: parameters: %w", err)
	}
	return s, nil
}

// CheckScheduleFilter validates f.
func CheckScheduleFilter(f ScheduleFilter) error {
	if _, _, err := ParseJobCursor(f.Cursor); err != nil {
		return fmt.Errorf("schedule filter: %w", err)
	}
	return nil
}

// ScheduleCursor is the cursor after s: schedules are listed in the order
// of jobs (CreatedAt then ID, both descending), with cursors of the same
// form.
func ScheduleCursor(s Schedule) JobCursor { return JobCursor{CreatedAt: s.CreatedAt, ID: s.ID} }

// BeforeSchedule reports whether s comes after the cursor in list order.
func (c JobCursor) BeforeSchedule(s Schedule) bool {
	return c.Before(Job{CreatedAt: s.CreatedAt, ID: s.ID})
}

// CheckScheduleAdvance validates the arguments of AdvanceSchedule.
func CheckScheduleAdvance(slot time.Time, missed int64) error {
	switch {
	case slot.IsZero():
		return fmt.Errorf("advance schedule: slot is zero: %w", ErrInvalid)
	case missed < 0:
		return fmt.Errorf("advance schedule: missed %d is negative: %w", missed, ErrInvalid)
	}
	return nil
}
