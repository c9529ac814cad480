package backup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
)

// Retention is how many backups to keep and for how long. A backup is deleted when it is not
// among the newest KeepLast (when KeepLast > 0) or is older than MaxAge (when MaxAge > 0).
type Retention struct {
	KeepLast int           `json:"keep_last"`
	MaxAge   time.Duration `json:"max_age"`
}

// Check returns an error naming the field when the policy is not one.
func (r Retention) Check() error {
	switch {
	case r.KeepLast < 0:
		return fmt.Errorf("keep_last %d: must not be negative", r.KeepLast)
	case r.MaxAge < 0:
		return fmt.Errorf("max_age %s: must not be negative", r.MaxAge)
	}
	return nil
}

// ApplyRetention deletes this cluster's backups (names with the engine's prefix) that the policy
// no longer keeps. It never deletes newestVerified — the newest backup that passed verification,
// which the caller knows from its stored records — nor, when that is empty or not in the location,
// the newest backup of all: a location is never emptied by retention.
func (e *Engine) ApplyRetention(ctx context.Context, policy Retention, newestVerified string) (RetentionRecord, error) {
	rec := RetentionRecord{Location: e.cfg.Location.String()}
	if err := policy.Check(); err != nil {
		return rec, err
	}
	objs, err := e.List(ctx)
	if err != nil {
		return rec, err
	}
	if len(objs) == 0 {
		return rec, nil
	}
	protected := objs[0].Name
	for _, o := range objs {
		if o.Name == newestVerified {
			protected = o.Name
		}
	}
	rec.Protected = protected
	now := e.cfg.Now()
	var errs []error
	for i, o := range objs {
		drop := (policy.KeepLast > 0 && i >= policy.KeepLast) || (policy.MaxAge > 0 && now.Sub(o.ModTime) > policy.MaxAge)
		if !drop || o.Name == protected {
			rec.Kept = append(rec.Kept, o.Name)
			continue
		}
		if err := e.cfg.Location.Delete(ctx, o.Name); err != nil && !errors.Is(err, location.ErrNotFound) {
			errs = append(errs, err)
			rec.Kept = append(rec.Kept, o.Name)
			continue
		}
		rec.Deleted = append(rec.Deleted, o.Name)
	}
	if err := errors.Join(errs...); err != nil {
		return rec, fmt.Errorf("retention in %s: %w", e.cfg.Location, err)
	}
	return rec, nil
}

// List returns this cluster's backups in the location (names with the engine's prefix), newest
// first (by time, then by name).
func (e *Engine) List(ctx context.Context) ([]location.Object, error) {
	all, err := e.cfg.Location.List(ctx)
	if err != nil {
		return nil, err
	}
	var objs []location.Object
	for _, o := range all {
		if strings.HasPrefix(o.Name, e.cfg.Prefix) {
			objs = append(objs, o)
		}
	}
	sortNewestFirst(objs)
	return objs, nil
}

func sortNewestFirst(objs []location.Object) {
	slices.SortStableFunc(objs, func(a, b location.Object) int {
		if c := b.ModTime.Compare(a.ModTime); c != 0 {
			return c
		}
		return strings.Compare(b.Name, a.Name)
	})
}
