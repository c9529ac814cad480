package defrag

import (
	"context"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
)

// Member defragments the member at endpoint through the client pinned to it. etcd cannot stop
// a defragmentation once it started: ctx bounds the wait for its answer, not the work.
func Member(ctx context.Context, conn *conns.Conn, endpoint string) error {
	m, err := conn.Member(ctx, endpoint)
	if err != nil {
		return err
	}
	return m.Do(ctx, func(ctx context.Context) error {
		_, err := m.Maintenance.Defragment(ctx, endpoint)
		return err
	})
}
