package opsproxy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
)

// clusterConn is the connection to one configured cluster: a client over all its endpoints,
// and clients to single members made on demand.
type clusterConn struct {
	cfg     clusterconfig.Cluster
	cli     *clientv3.Client
	timeout time.Duration
}

func newClusterConn(cfg clusterconfig.Cluster) (*clusterConn, error) {
	cc, err := cfg.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", cfg.Name, err)
	}
	cli, err := clientv3.New(cc)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: client: %w", cfg.Name, err)
	}
	return &clusterConn{cfg: cfg, cli: cli, timeout: time.Duration(cfg.RequestTimeout)}, nil
}

func (c *clusterConn) close() error { return c.cli.Close() }

// memberClient returns a client to one member's endpoint; the caller closes it.
func (c *clusterConn) memberClient(endpoint string) (*clientv3.Client, error) {
	cc, err := c.cfg.ClientConfig(endpoint)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", c.cfg.Name, err)
	}
	cli, err := clientv3.New(cc)
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", endpoint, err)
	}
	return cli, nil
}

// requestCtx bounds one request to the cluster by its request timeout.
func (c *clusterConn) requestCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// clusterInfo is one entry of the cluster list.
type clusterInfo struct {
	Name      string   `json:"name"`
	Endpoints []string `json:"endpoints"`
	Reachable bool     `json:"reachable"`
	Error     string   `json:"error,omitempty"`
	ClusterID string   `json:"cluster_id,omitempty"`
	Revision  int64    `json:"revision,omitempty"`
}

// listClusters answers the clusters the token may use, each probed concurrently with a
// serializable read.
func (s *Server) listClusters(c *opCall) (any, error) {
	var names []string
	for name := range s.clusters {
		if c.p.mayUseCluster(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := make([]clusterInfo, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		conn := s.clusters[name]
		out[i] = clusterInfo{Name: name, Endpoints: conn.cfg.Endpoints}
		wg.Go(func() {
			ctx, cancel := conn.requestCtx(c.r.Context())
			defer cancel()
			resp, err := conn.cli.Get(ctx, "health", clientv3.WithSerializable(), clientv3.WithCountOnly())
			if errors.Is(err, rpctypes.ErrPermissionDenied) {
				// Answered by etcd: reachable, although this user may not read the key.
				out[i].Reachable = true
				return
			}
			if err != nil {
				_, out[i].Error = statusOf(err)
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
