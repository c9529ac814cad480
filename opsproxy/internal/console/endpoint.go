package console

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// endpoints are the endpoints a command acts on: the cluster's configured endpoints, or with
// --cluster every member's client URLs, as etcdctl's endpointsFromCluster.
func (x *execution) endpoints() ([]string, error) {
	if !x.inv.Bool("cluster") {
		return x.c.Cluster.Config().Endpoints, nil
	}
	membs, err := x.c.Cli.MemberList(x.ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to fetch endpoints from etcd cluster member list: %w", err)
	}
	var eps []string
	for _, m := range membs.Members {
		eps = append(eps, m.ClientURLs...)
	}
	return eps, nil
}

func planEndpointHealth(_ *Engine, inv *Invocation) (*plan, error) {
	return &plan{
		spec:    core.OpSpec{Name: "endpoints.health", Role: core.RoleViewer},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			eps, err := x.endpoints()
			if err != nil {
				return err
			}
			hs := make([]epHealth, len(eps))
			var wg sync.WaitGroup
			for i, ep := range eps {
				wg.Go(func() { hs[i] = x.endpointHealth(ep) })
			}
			wg.Wait()
			x.show(func(p printer) { p.EndpointHealth(hs) })
			for _, h := range hs {
				if h.Error != "" {
					return errors.New("unhealthy cluster")
				}
			}
			return nil
		},
	}, nil
}

// endpointHealth is etcdctl's check of one endpoint: a read of the key "health" answered
// (permission denied counts: the request went through consensus), and no active alarm.
func (x *execution) endpointHealth(ep string) epHealth {
	ctx, cancel := context.WithTimeout(x.c.R.Context(), x.inv.Timeout)
	defer cancel()
	m, err := x.c.Cluster.Member(ctx, ep)
	if err != nil {
		return epHealth{Ep: ep, Health: false, Error: err.Error()}
	}
	st := time.Now()
	_, err = m.Client.Get(ctx, "health")
	eh := epHealth{Ep: ep, Health: false, Took: time.Since(st).String()}
	if err == nil || errors.Is(err, rpctypes.ErrPermissionDenied) {
		eh.Health = true
	} else {
		eh.Error = err.Error()
	}
	if eh.Health {
		resp, err := m.Maintenance.AlarmList(ctx)
		if err == nil && len(resp.Alarms) > 0 {
			eh.Health = false
			eh.Error = "Active Alarm(s): "
			for _, v := range resp.Alarms {
				switch v.Alarm {
				case etcdserverpb.AlarmType_NOSPACE:
					eh.Error = eh.Error + "NOSPACE "
				case etcdserverpb.AlarmType_CORRUPT:
					eh.Error = eh.Error + "CORRUPT "
				default:
					eh.Error = eh.Error + "UNKNOWN "
				}
			}
		} else if err != nil {
			eh.Health = false
			eh.Error = "Unable to fetch the alarm list"
		}
	}
	return eh
}

func planEndpointStatus(_ *Engine, inv *Invocation) (*plan, error) {
	return &plan{
		spec:    core.OpSpec{Name: "endpoints.status", Role: core.RoleViewer},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			eps, err := x.endpoints()
			if err != nil {
				return err
			}
			var statusList []epStatus
			failed := false
			for _, ep := range eps {
				m, err := x.c.Cluster.Member(x.ctx, ep)
				if err == nil {
					r, serr := m.Maintenance.Status(x.ctx, ep)
					if serr == nil {
						statusList = append(statusList, epStatus{Ep: ep, Resp: r})
						continue
					}
					err = serr
				}
				failed = true
				fmt.Fprintf(&x.stderr, "Failed to get the status of endpoint %s (%v)\n", ep, err)
			}
			x.show(func(p printer) { p.EndpointStatus(statusList) })
			if failed {
				return &silentExit{code: ExitError}
			}
			return nil
		},
	}, nil
}

func planEndpointHashKV(_ *Engine, inv *Invocation) (*plan, error) {
	rev := inv.Int("rev")
	return &plan{
		spec:    core.OpSpec{Name: "endpoints.hashkv", Role: core.RoleViewer},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			eps, err := x.endpoints()
			if err != nil {
				return err
			}
			var hashList []epHashKV
			var failure error
			for _, ep := range eps {
				m, err := x.c.Cluster.Member(x.ctx, ep)
				if err == nil {
					r, herr := m.Maintenance.HashKV(x.ctx, ep, rev)
					if herr == nil {
						hashList = append(hashList, epHashKV{Ep: ep, Resp: r})
						continue
					}
					err = herr
				}
				failure = err
				fmt.Fprintf(&x.stderr, "Failed to get the hash of endpoint %s (%v)\n", ep, err)
			}
			x.show(func(p printer) { p.EndpointHashKV(hashList) })
			return failure
		},
	}, nil
}
