package bolt

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// CreateSchedule implements store.ScheduleStore.
func (s *Store) CreateSchedule(ctx context.Context, sc store.Schedule) (store.Schedule, error) {
	sc, err := store.PrepareSchedule(sc, time.Now())
	if err != nil {
		return store.Schedule{}, err
	}
	err = s.update(func(tx *bbolt.Tx) error {
		all, names := tx.Bucket(bucketSchedules), tx.Bucket(bucketScheduleNames)
		if names.Get(scheduleNameKey(sc)) != nil {
			return fmt.Errorf("a schedule named %q exists on cluster %s: %w", sc.Name, sc.Cluster, store.ErrConflict)
		}
		if all.Get([]byte(sc.ID)) != nil {
			return fmt.Errorf("schedule id %s: %w", sc.ID, store.ErrConflict)
		}
		if err := names.Put(scheduleNameKey(sc), []byte(sc.ID)); err != nil {
			return err
		}
		return putSchedule(all, sc)
	})
	if err != nil {
		return store.Schedule{}, fmt.Errorf("create schedule %s: %w", sc.ID, err)
	}
	return sc, nil
}

// Schedule implements store.ScheduleStore.
func (s *Store) Schedule(ctx context.Context, id string) (store.Schedule, error) {
	var sc store.Schedule
	err := s.view(func(tx *bbolt.Tx) (err error) {
		sc, err = getSchedule(tx.Bucket(bucketSchedules), id)
		return err
	})
	if err != nil {
		return store.Schedule{}, fmt.Errorf("schedule %s: %w", id, err)
	}
	return sc, nil
}

// ListSchedules implements store.ScheduleStore.
func (s *Store) ListSchedules(ctx context.Context, f store.ScheduleFilter) (store.SchedulePage, error) {
	if err := store.CheckScheduleFilter(f); err != nil {
		return store.SchedulePage{}, err
	}
	cur, hasCur, _ := store.ParseJobCursor(f.Cursor)
	limit := store.ClampJobLimit(f.Limit)
	var all []store.Schedule
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketSchedules).ForEach(func(k, v []byte) error {
			sc, err := decodeSchedule(v)
			if err != nil {
				return fmt.Errorf("schedule %s: %w", k, err)
			}
			if f.Matches(sc) && (!hasCur || cur.BeforeSchedule(sc)) {
				all = append(all, sc)
			}
			return nil
		})
	})
	if err != nil {
		return store.SchedulePage{}, fmt.Errorf("list schedules: %w", err)
	}
	slices.SortFunc(all, func(a, b store.Schedule) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	var page store.SchedulePage
	if len(all) > limit {
		all = all[:limit]
		page.Next = store.ScheduleCursor(all[limit-1]).Encode()
	}
	page.Schedules = all
	return page, nil
}

// SetSchedulePaused implements store.ScheduleStore.
func (s *Store) SetSchedulePaused(ctx context.Context, id string, paused bool, at time.Time) (store.Schedule, error) {
	at = store.NormalizeTime(nowIfZero(at))
	var sc store.Schedule
	err := s.update(func(tx *bbolt.Tx) (err error) {
		all := tx.Bucket(bucketSchedules)
		if sc, err = getSchedule(all, id); err != nil || sc.Paused == paused {
			return err
		}
		sc.Paused, sc.UpdatedAt = paused, at
		return putSchedule(all, sc)
	})
	if err != nil {
		return store.Schedule{}, fmt.Errorf("pause schedule %s: %w", id, err)
	}
	return sc, nil
}

// DeleteSchedule implements store.ScheduleStore.
func (s *Store) DeleteSchedule(ctx context.Context, id string) error {
	err := s.update(func(tx *bbolt.Tx) error {
		all := tx.Bucket(bucketSchedules)
		sc, err := getSchedule(all, id)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketScheduleNames).Delete(scheduleNameKey(sc)); err != nil {
			return err
		}
		return all.Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("delete schedule %s: %w", id, err)
	}
	return nil
}

// AdvanceSchedule implements store.ScheduleStore. bbolt runs one update
// transaction at a time, so the check and the write are atomic.
func (s *Store) AdvanceSchedule(ctx context.Context, id string, slot time.Time, jobID string, missed int64) (bool, error) {
	if err := store.CheckScheduleAdvance(slot, missed); err != nil {
		return false, fmt.Errorf("schedule %s: %w", id, err)
	}
	slot = store.NormalizeTime(slot)
	advanced := false
	err := s.update(func(tx *bbolt.Tx) error {
		all := tx.Bucket(bucketSchedules)
		sc, err := getSchedule(all, id)
		if err != nil || !slot.After(sc.LastSlot) {
			return err
		}
		sc.LastSlot, sc.MissedSlots = slot, sc.MissedSlots+missed
		if jobID != "" {
			sc.LastJobID = jobID
		}
		advanced = true
		return putSchedule(all, sc)
	})
	if err != nil {
		return false, fmt.Errorf("advance schedule %s: %w", id, err)
	}
	return advanced, nil
}

// scheduleNameKey is the key of bucketScheduleNames: names are unique per
// cluster, and neither may hold a NUL (store.PrepareSchedule).
func scheduleNameKey(sc store.Schedule) []byte { return []byte(sc.Cluster + "\x00" + sc.Name) }

func putSchedule(b *bbolt.Bucket, sc store.Schedule) error {
	v, err := json.Marshal(sc)
	if err != nil {
		return fmt.Errorf("encode schedule: %w", err)
	}
	return b.Put([]byte(sc.ID), v)
}

func getSchedule(b *bbolt.Bucket, id string) (store.Schedule, error) {
	v := b.Get([]byte(id))
	if v == nil {
		return store.Schedule{}, store.ErrNotFound
	}
	return decodeSchedule(v)
}

func decodeSchedule(v []byte) (store.Schedule, error) {
	var sc store.Schedule
	if err := json.Unmarshal(v, &sc); err != nil {
		return store.Schedule{}, fmt.Errorf("decode schedule: %w", err)
	}
	return sc, nil
}
