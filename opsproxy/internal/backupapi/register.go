package backupapi

import (
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// api serves the backups area.
type api struct {
	*core.Core
	src Source
}

// Register adds the backup routes to co. Backups hold every secret of a cluster: every route
// needs the admin role, and a token limited to other clusters is refused. None needs a
// connection to the cluster (backups are read when etcd is down); downloads are audited before
// the first byte leaves.
func Register(co *core.Core, src Source) {
	s := &api{Core: co, src: src}
	co.Handle("GET /api/v1/clusters/{cluster}/backup-locations", core.OpSpec{Name: "backups.locations.list", Role: core.RoleAdmin}, s.listLocations)
	co.Handle("GET /api/v1/clusters/{cluster}/backups", core.OpSpec{Name: "backups.list", Role: core.RoleAdmin}, s.list)
	co.Handle("GET /api/v1/clusters/{cluster}/backups/{location}/{name}", core.OpSpec{Name: "backups.get", Role: core.RoleAdmin}, s.get)
	co.Handle("GET /api/v1/clusters/{cluster}/backups/{location}/{name}/download", core.OpSpec{Name: "backups.download", Role: core.RoleAdmin}, s.download)
	co.Handle("GET /api/v1/clusters/{cluster}/backup-events", core.OpSpec{Name: "backups.events.list", Role: core.RoleAdmin}, s.listEvents)
}

// cluster is the cluster of c's path, once the token may act on it and it is configured.
func (s *api) cluster(c *core.Call) (string, error) {
	name := c.R.PathValue("cluster")
	if !c.P.MayUseCluster(name) {
		return "", apihttp.Deniedf("token %s may not act on cluster %q", c.P.Token.ID, name)
	}
	if _, ok := s.State().Clusters[name]; !ok {
		return "", apihttp.Errorf(http.StatusNotFound, "cluster: no cluster %q", name)
	}
	return name, nil
}

// target is the configured location called name of cluster (field names it in errors).
func (s *api) target(cluster, field, name string) (Target, error) {
	if name == "" || len(name) > maxQueryValue {
		return Target{}, apihttp.Errorf(http.StatusBadRequest, "%s: want a backup location name", field)
	}
	for _, t := range targetsOf(s.src, cluster) {
		if t.Location == name {
			return t, nil
		}
	}
	return Target{}, apihttp.Errorf(http.StatusNotFound, "%s: cluster %q has no backup location %q", field, cluster, name)
}
