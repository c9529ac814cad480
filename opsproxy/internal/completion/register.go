package completion

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// readTimeout bounds the cluster reads of one completion (within the cluster's request
// timeout): a completion that comes later than this is of no use to someone typing.
const readTimeout = 2 * time.Second

// api serves the completion route.
type api struct{ *core.Core }

// Register adds GET /api/v1/clusters/{cluster}/complete to co: any role, audited as a read.
// The cluster is checked here rather than by the core, so that the grammar's candidates
// (commands, flags, values) are answered even while the cluster does not answer; only
// candidates read from the cluster then fail (503).
func Register(co *core.Core) {
	s := &api{co}
	co.Handle("GET /api/v1/clusters/{cluster}/complete", core.OpSpec{Name: "console.complete", Role: core.RoleViewer}, s.complete)
}

func (s *api) complete(c *core.Call) (any, error) {
	name := c.R.PathValue("cluster")
	c.Rec.Cluster = name
	if !c.P.MayUseCluster(name) {
		return nil, apihttp.Deniedf("token %s may not act on cluster %q", c.P.Token.ID, name)
	}
	conn, ok := s.ClusterFor(c.R.Context(), name)
	if !ok {
		return nil, apihttp.Errorf(http.StatusNotFound, "no cluster %q", name)
	}
	q := c.R.URL.Query()
	line := q.Get("line")
	if len(line) > MaxLineLen {
		return nil, apihttp.Errorf(http.StatusBadRequest, "line: over %d bytes", MaxLineLen)
	}
	if !utf8.ValidString(line) {
		return nil, apihttp.Errorf(http.StatusBadRequest, "line: not UTF-8 text (write other bytes as $'\\xHH')")
	}
	cursor := len(line)
	if q.Has("cursor") {
		v, err := strconv.Atoi(q.Get("cursor"))
		if err != nil || v < 0 || v > len(line) {
			return nil, apihttp.Errorf(http.StatusBadRequest, "cursor: want a byte offset from 0 to %d (the line's length)", len(line))
		}
		if v < len(line) && !utf8.RuneStart(line[v]) {
			return nil, apihttp.Errorf(http.StatusBadRequest, "cursor: %d is inside a UTF-8 character", v)
		}
		cursor = v
	}
	ctx, cancel := conn.RequestCtx(c.R.Context())
	defer cancel()
	ctx, cancelCompletion := context.WithTimeout(ctx, readTimeout)
	defer cancelCompletion()
	r := &clusterReader{conn: conn, p: c.P, snapshotDir: s.Config().Maintenance.SnapshotDir, logger: s.Logger}
	ans, err := Complete(ctx, line, cursor, r)
	if r.scanned != nil {
		c.Rec.Key, c.Rec.RangeEnd = r.scanned, r.scannedEnd
	}
	if err != nil {
		return nil, unavailable(name, err)
	}
	return ans, nil
}

// unavailable answers a failed cluster read with 503, whatever kind of failure it was: the
// grammar's candidates do not depend on the cluster, and the client may retry. A client that
// went away stays one (499).
func unavailable(cluster string, err error) error {
	code, msg := apihttp.StatusOf(err)
	if code == http.StatusServiceUnavailable || code == 499 {
		return err
	}
	return apihttp.Wrap(http.StatusServiceUnavailable, fmt.Sprintf("cluster %s: completion could not read the cluster: %s", cluster, msg), err)
}
