package backup

import (
	"context"
	"fmt"
	"path"
)

// InspectOptions select what Inspect looks at in a location that another tool fills.
type InspectOptions struct {
	// Pattern is a shell pattern (path.Match) the backups' names match ("*.db",
	// "etcd-snapshot-*"); empty takes every object, or those with the engine's prefix when it has one.
	Pattern string
	// Verify reads the newest backup back and checks it as Verify does (without a record: etcd's
	// integrity hash when present, and snapshot status).
	Verify bool
}

// Inspect looks at a location: how many backups it holds, the newest one's age and size (and the
// one before it, to compare sizes), and, when asked, the verification of the newest. It is how a
// location filled by etcdctl snapshot save from cron, etcd-backup-restore or a CronJob is watched
// the same way as ours.
func (e *Engine) Inspect(ctx context.Context, opts InspectOptions) (InspectRecord, error) {
	rec := InspectRecord{Location: e.cfg.Location.String(), InspectedAt: e.cfg.Now().UTC()}
	if opts.Pattern != "" {
		if _, err := path.Match(opts.Pattern, ""); err != nil {
			return rec, fmt.Errorf("pattern %q: %w", opts.Pattern, err)
		}
	}
	all, err := e.cfg.Location.List(ctx)
	if err != nil {
		return rec, fmt.Errorf("inspect %s: %w", e.cfg.Location, err)
	}
	objs := all[:0]
	for _, o := range all {
		ok := len(o.Name) >= len(e.cfg.Prefix) && o.Name[:len(e.cfg.Prefix)] == e.cfg.Prefix
		if opts.Pattern != "" {
			ok, _ = path.Match(opts.Pattern, o.Name)
		}
		if ok {
			objs = append(objs, o)
		}
	}
	sortNewestFirst(objs)
	rec.Count = len(objs)
	for _, o := range objs {
		rec.TotalSize += o.Size
	}
	if len(objs) == 0 {
		return rec, nil
	}
	newest := objs[0]
	rec.Newest = &newest
	rec.NewestAgeSeconds = rec.InspectedAt.Sub(newest.ModTime).Seconds()
	if len(objs) > 1 {
		prev := objs[1]
		rec.Previous = &prev
	}
	if opts.Verify {
		v, _ := e.Verify(ctx, newest.Name, nil)
		rec.Verification = &v
	}
	return rec, nil
}
