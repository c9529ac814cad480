package exporter

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	clientv3 "go.etcd.io/etcd/client/v3"
)

func init() { registerProbe("keys", true, keysProbe{}) }

// keysProbe counts the keys under each configured prefix (count-only, serializable: cheap and
// answered by the member itself) and the leases in the cluster.
type keysProbe struct{}

var (
	keysDesc   = prometheus.NewDesc(namespace+"_keys", "Keys under a configured prefix (serializable count).", []string{"cluster", "prefix"}, nil)
	leasesDesc = newClusterDesc("leases", "Leases granted and not expired.")
)

func (keysProbe) describe(ch chan<- *prometheus.Desc) {
	ch <- keysDesc
	ch <- leasesDesc
}

func (keysProbe) collect(s *scrape, ch chan<- prometheus.Metric) error {
	m, ep, err := s.firstUp()
	if err != nil {
		return err
	}
	cluster := s.t.cfg.Name
	prefixes := s.t.settings.KeyPrefixes
	errs := make([]error, len(prefixes)+1)
	parallel(len(prefixes)+1, func(i int) {
		ctx, cancel := s.memberContext()
		defer cancel()
		if i == len(prefixes) {
			resp, err := m.Client.Leases(ctx)
			if err != nil {
				errs[i] = fmt.Errorf("lease list from %s: %w", ep, err)
				return
			}
			ch <- gauge(leasesDesc, float64(len(resp.Leases)), cluster)
			return
		}
		resp, err := m.Client.Get(ctx, prefixes[i], clientv3.WithPrefix(), clientv3.WithCountOnly(), clientv3.WithSerializable())
		if err != nil {
			errs[i] = fmt.Errorf("count of %q from %s: %w", prefixes[i], ep, err)
			return
		}
		ch <- gauge(keysDesc, float64(resp.Count), cluster, prefixes[i])
	})
	return errors.Join(errs...)
}
