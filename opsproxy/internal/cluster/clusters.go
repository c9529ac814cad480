package cluster

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
)

// ClusterInfo is one entry of the cluster list.
type ClusterInfo struct {
	Name      string   `json:"name"`
	Endpoints []string `json:"endpoints"`
	Reachable bool     `json:"reachable"`
	Error     string   `json:"error,omitempty"`
	ClusterID string   `json:"cluster_id,omitempty"`
	Revision  int64    `json:"revision,omitempty"`
}

// listClusters answers the clusters the token may use, each probed concurrently with a
// serializable read.
func (s *api) listClusters(c *core.Call) (any, error) {
	var served []*conns.Conn
	for name := range s.State().Clusters {
		if !c.P.MayUseCluster(name) {
			continue
		}
		// Taken for the request, so that a reload meanwhile does not close it under the probe.
		if conn, ok := s.ClusterFor(c.R.Context(), name); ok {
			served = append(served, conn)
		}
	}
	slices.SortFunc(served, func(a, b *conns.Conn) int { return strings.Compare(a.Config().Name, b.Config().Name) })
	out := make([]ClusterInfo, len(served))
	var wg sync.WaitGroup
	for i, conn := range served {
		out[i] = ClusterInfo{Name: conn.Config().Name, Endpoints: conn.Config().Endpoints}
		wg.Go(func() {
			ctx, cancel := conn.RequestCtx(c.R.Context())
			defer cancel()
			cli, err := conn.Client(ctx)
			if err != nil {
				_, out[i].Error = apihttp.StatusOf(err)
				return
			}
			resp, err := cli.Get(ctx, "health", clientv3.WithSerializable(), clientv3.WithCountOnly())
			if errors.Is(err, rpctypes.ErrPermissionDenied) {
				// Answered by etcd: reachable, although this user may not read the key.
				out[i].Reachable = true
				return
			}
			if err != nil {
				_, out[i].Error = apihttp.StatusOf(err)
				return
			}
			out[i].Reachable = true
			out[i].ClusterID = fmt.Sprintf("%x", resp.Header.ClusterId)
			out[i].Revision = resp.Header.Revision
		})
	}
	wg.Wait()
	return map[string]any{"clusters": out}, nil
}
