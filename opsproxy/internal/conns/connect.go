package conns

import (
	"fmt"
	"log/slog"
	"slices"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// ReloadResult names the clusters a reload added, removed and changed (connected anew).
type ReloadResult struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Changed []string `json:"changed"`
}

// Connect makes the connections of cfg's clusters, keeping those of old that are the
// same (see Conn.SameAs). On error, the connections it made are closed and the error
// names the cluster.
func Connect(cfg *config.Config, old map[string]*Conn, logger *slog.Logger) (map[string]*Conn, ReloadResult, error) {
	res := ReloadResult{Added: []string{}, Removed: []string{}, Changed: []string{}}
	conns := make(map[string]*Conn, len(cfg.Clusters))
	var made []*Conn
	for i, cl := range cfg.Clusters {
		if prev, ok := old[cl.Name]; ok && prev.SameAs(cl, cfg.Limits) {
			conns[cl.Name] = prev
			continue
		}
		conn, err := New(cl, cfg.Limits, logger)
		if err != nil {
			for _, c := range made {
				c.Close()
			}
			return nil, res, fmt.Errorf("clusters[%d]: %w", i, err)
		}
		made = append(made, conn)
		conns[cl.Name] = conn
		if _, ok := old[cl.Name]; ok {
			res.Changed = append(res.Changed, cl.Name)
		} else {
			res.Added = append(res.Added, cl.Name)
		}
	}
	for name := range old {
		if _, ok := conns[name]; !ok {
			res.Removed = append(res.Removed, name)
		}
	}
	slices.Sort(res.Removed)
	return conns, res, nil
}
