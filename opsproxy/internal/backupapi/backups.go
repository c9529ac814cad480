package backupapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// maxQueryValue bounds the names given in a path or query.
const maxQueryValue = 256

// engine returns the engine of t. Why an engine cannot be made (a key file that does not load)
// is logged, not answered: it may name a credential's path.
func (s *api) engine(t Target) (*backup.Engine, error) {
	e, ok, err := s.src.Engine(t.Cluster, t.Location)
	switch {
	case err != nil:
		s.Logger.Warn("backup location unusable", "cluster", t.Cluster, "location", t.Location, "err", err)
		return nil, apihttp.Errorf(http.StatusServiceUnavailable, "backup location %s: cannot be opened with the configured settings (the opsproxy log says why)", t.Location)
	case !ok:
		return nil, apihttp.Errorf(http.StatusNotFound, "location: cluster %q has no backup location %q", t.Cluster, t.Location)
	}
	return e, nil
}

// objects lists the cluster's backups in t's location, newest first.
func (s *api) objects(ctx context.Context, t Target) (*backup.Engine, []location.Object, error) {
	e, err := s.engine(t)
	if err != nil {
		return nil, nil, err
	}
	objs, err := e.List(ctx)
	if err != nil {
		return nil, nil, apihttp.Wrap(http.StatusServiceUnavailable, "backup location "+t.Location+" cannot be read: "+err.Error(), err)
	}
	return e, objs, nil
}

// list answers GET /clusters/{cluster}/backups?location=&limit=: the backups of every location
// of the cluster (or of the one named), newest first.
func (s *api) list(c *core.Call) (any, error) {
	cluster, err := s.cluster(c)
	if err != nil {
		return nil, err
	}
	q := c.R.URL.Query()
	limit, err := apihttp.QueryInt(q, "limit", 1)
	switch {
	case err != nil:
		return nil, err
	case limit > store.MaxJobLimit:
		return nil, apihttp.Errorf(http.StatusBadRequest, "limit: at most %d", store.MaxJobLimit)
	case limit == 0:
		limit = store.DefaultJobLimit
	}
	targets := targetsOf(s.src, cluster)
	if q.Has("location") {
		t, err := s.target(cluster, "location", q.Get("location"))
		if err != nil {
			return nil, err
		}
		targets = []Target{t}
	}
	out := backup.List{Backups: []backup.Summary{}}
	for _, t := range targets {
		_, objs, err := s.objects(c.R.Context(), t)
		if err != nil {
			return nil, err
		}
		h, err := readHistory(c.R.Context(), s.Store, t)
		if err != nil {
			return nil, apihttp.StoreError("backup events", err)
		}
		for _, o := range objs {
			out.Backups = append(out.Backups, summarize(t, o, h))
		}
	}
	slices.SortStableFunc(out.Backups, func(a, b backup.Summary) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.Name, a.Name)
	})
	if len(out.Backups) > int(limit) {
		out.Backups = out.Backups[:limit]
	}
	return out, nil
}

// backupOf finds the backup of c's path ({location}/{name}): 400 for a name that cannot be a
// backup's (a path), 404 when the location does not hold it as a backup of the cluster.
func (s *api) backupOf(c *core.Call) (Target, *backup.Engine, location.Object, error) {
	cluster, err := s.cluster(c)
	if err != nil {
		return Target{}, nil, location.Object{}, err
	}
	t, err := s.target(cluster, "location", c.R.PathValue("location"))
	if err != nil {
		return Target{}, nil, location.Object{}, err
	}
	name := c.R.PathValue("name")
	c.Rec.Key = []byte(t.Location + "/" + name)
	if err := checkName(name); err != nil {
		return Target{}, nil, location.Object{}, err
	}
	e, objs, err := s.objects(c.R.Context(), t)
	if err != nil {
		return Target{}, nil, location.Object{}, err
	}
	i := slices.IndexFunc(objs, func(o location.Object) bool { return o.Name == name })
	if i < 0 {
		return Target{}, nil, location.Object{}, apihttp.Errorf(http.StatusNotFound, "name: location %s holds no backup %q of cluster %q", t.Location, name, cluster)
	}
	return t, e, objs[i], nil
}

// checkName refuses what cannot be an object of a location: a path, a hidden name, control
// characters, or more than 255 bytes.
func checkName(name string) error {
	bad := name == "" || len(name) > 255 || strings.HasPrefix(name, ".") || strings.ContainsAny(name, `/\`) ||
		strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsPrint(r) })
	if bad {
		return apihttp.Errorf(http.StatusBadRequest, "name: want the plain name of a backup (no path, not hidden, at most 255 bytes)")
	}
	return nil
}

// get answers GET /clusters/{cluster}/backups/{location}/{name}.
func (s *api) get(c *core.Call) (any, error) {
	t, _, o, err := s.backupOf(c)
	if err != nil {
		return nil, err
	}
	h, err := readHistory(c.R.Context(), s.Store, t)
	if err != nil {
		return nil, apihttp.StoreError("backup events", err)
	}
	events, err := s.Store.ListBackupEvents(c.R.Context(), store.BackupEventFilter{Cluster: t.Cluster, Location: t.Location, Name: o.Name, Limit: store.MaxJobLimit})
	if err != nil {
		return nil, apihttp.StoreError("backup events", err)
	}
	out := Backup{Summary: summarize(t, o, h), Events: events}
	if out.Events == nil {
		out.Events = []store.BackupEvent{}
	}
	if e, ok := h.made[o.Name]; ok {
		out.Record = recordOf(e)
	}
	return out, nil
}
