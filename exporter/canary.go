package exporter

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	clientv3 "go.etcd.io/etcd/client/v3"
)

func init() { registerProbe("canary", true, canaryProbe{}) }

// canaryProbe, when enabled for a cluster (probes.canary.enabled), writes through the cluster the
// way an application does: it watches its key, puts it attached to a short lease, reads it back,
// waits for the watch to deliver the put, deletes it and revokes the lease. The lease makes sure
// no key is left behind when the exporter dies half-way.
type canaryProbe struct{}

var (
	canarySuccessDesc = newClusterDesc("canary_success", "1 when the write canary's put, get, watch and delete all succeeded.")
	canaryOpDesc      = prometheus.NewDesc(namespace+"_canary_duration_seconds", "Duration of each write canary operation (put, get, delete).", []string{"cluster", "op"}, nil)
	canaryWatchDesc   = newClusterDesc("canary_watch_delay_seconds", "Delay from the canary's put to its watch event.")
)

func (canaryProbe) describe(ch chan<- *prometheus.Desc) {
	ch <- canarySuccessDesc
	ch <- canaryOpDesc
	ch <- canaryWatchDesc
}

func (canaryProbe) collect(s *scrape, ch chan<- prometheus.Metric) error {
	settings := s.t.settings.Canary
	if !settings.Enabled {
		return errNotApplicable
	}
	cluster := s.t.cfg.Name
	err := s.runCanary(ch)
	ch <- gauge(canarySuccessDesc, boolFloat(err == nil), cluster)
	return err
}

func (s *scrape) runCanary(ch chan<- prometheus.Metric) error {
	cluster := s.t.cfg.Name
	m, ep, err := s.firstUp()
	if err != nil {
		return err
	}
	cli := m.Client
	key := s.t.settings.Canary.Prefix + s.t.canaryID
	// The canary gets a few request timeouts in all, still bounded by the scrape.
	ctx, cancel := context.WithTimeout(s.ctx, 3*time.Duration(s.t.cfg.RequestTimeout))
	defer cancel()

	lease, err := cli.Grant(ctx, int64(time.Duration(s.t.settings.Canary.LeaseTTL).Seconds()))
	if err != nil {
		return fmt.Errorf("canary lease on %s: %w", ep, err)
	}
	defer func() {
		rctx, rcancel := context.WithTimeout(context.Background(), time.Duration(s.t.cfg.RequestTimeout))
		defer rcancel()
		_, _ = cli.Revoke(rctx, lease.ID)
	}()

	wctx, wcancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer wcancel()
	watch := cli.Watch(wctx, key, clientv3.WithFilterDelete(), clientv3.WithCreatedNotify())
	if wr, ok := <-watch; !ok || !wr.Created {
		return fmt.Errorf("canary watch on %s: not created: %v", ep, wr.Err())
	}

	value := strconv.FormatInt(time.Now().UnixNano(), 10)
	start := time.Now()
	put, err := cli.Put(ctx, key, value, clientv3.WithLease(lease.ID))
	if err != nil {
		return fmt.Errorf("canary put on %s: %w", ep, err)
	}
	ch <- gauge(canaryOpDesc, time.Since(start).Seconds(), cluster, "put")

	getStart := time.Now()
	got, err := cli.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("canary get on %s: %w", ep, err)
	}
	ch <- gauge(canaryOpDesc, time.Since(getStart).Seconds(), cluster, "get")
	if len(got.Kvs) != 1 || string(got.Kvs[0].Value) != value {
		return fmt.Errorf("canary get on %s: read back something other than what was put", ep)
	}

	if err := waitForPut(ctx, watch, put.Header.Revision); err != nil {
		return fmt.Errorf("canary watch on %s: %w", ep, err)
	}
	ch <- gauge(canaryWatchDesc, time.Since(start).Seconds(), cluster)

	delStart := time.Now()
	if _, err := cli.Delete(ctx, key); err != nil {
		return fmt.Errorf("canary delete on %s: %w", ep, err)
	}
	ch <- gauge(canaryOpDesc, time.Since(delStart).Seconds(), cluster, "delete")
	return nil
}

// waitForPut waits until the watch delivers the put made at revision rev.
func waitForPut(ctx context.Context, watch clientv3.WatchChan, rev int64) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case wr, ok := <-watch:
			if !ok {
				return errors.New("watch closed before the put arrived")
			}
			if err := wr.Err(); err != nil {
				return err
			}
			for _, ev := range wr.Events {
				if ev.Kv.ModRevision >= rev {
					return nil
				}
			}
		}
	}
}
