package console

import (
	"fmt"
	"strconv"

	"go.etcd.io/etcd/api/v3/version"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

func planAlarmList(_ *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 0 {
		return nil, badRequest(ExitBadArgs, "alarm list command accepts no arguments")
	}
	return &plan{
		spec:    core.OpSpec{Name: "alarms.list", Role: core.RoleViewer},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			resp, err := x.c.Cli.AlarmList(x.ctx)
			if err != nil {
				return err
			}
			x.show(func(p printer) { p.Alarm(resp) })
			return nil
		},
	}, nil
}

func planAlarmDisarm(_ *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 0 {
		return nil, badRequest(ExitBadArgs, "alarm disarm command accepts no arguments")
	}
	return &plan{
		spec:    core.OpSpec{Name: "alarms.disarm", Role: core.RoleAdmin, Mutating: true},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			if err := x.c.CommitIntent(); err != nil {
				return err
			}
			resp, err := x.c.Cli.AlarmDisarm(x.ctx, &clientv3.AlarmMember{})
			if err != nil {
				return err
			}
			x.show(func(p printer) { p.Alarm(resp) })
			return nil
		},
	}, nil
}

func planCompaction(_ *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 1 {
		return nil, badRequest(ExitBadArgs, "compaction command needs 1 argument")
	}
	rev, err := strconv.ParseInt(inv.Args[0], 10, 64)
	if err != nil {
		return nil, badRequest(ExitError, "%v", err)
	}
	var opts []clientv3.CompactOption
	if inv.Bool("physical") {
		opts = append(opts, clientv3.WithCompactPhysical())
	}
	return &plan{
		spec:    core.OpSpec{Name: "maintenance.compact", Role: core.RoleAdmin, Mutating: true},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			if err := x.c.CommitIntent(); err != nil {
				return err
			}
			if _, err := x.c.Cli.Compact(x.ctx, rev, opts...); err != nil {
				return err
			}
			fmt.Fprintln(&x.stdout, "compacted revision", rev)
			return nil
		},
	}, nil
}

// planMoveLeader finds the leader among the cluster's configured endpoints, as etcdctl does
// among its --endpoints, and asks it to hand leadership to the target.
func planMoveLeader(_ *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 1 {
		return nil, badRequest(ExitBadArgs, "move-leader command needs 1 argument")
	}
	target, err := strconv.ParseUint(inv.Args[0], 16, 64)
	if err != nil {
		return nil, badRequest(ExitBadArgs, "%v", err)
	}
	return &plan{
		spec:    core.OpSpec{Name: "members.move_leader", Role: core.RoleAdmin, Mutating: true},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			eps := x.c.Cluster.Config().Endpoints
			var leaderEp string
			var leaderID uint64
			for _, ep := range eps {
				m, err := x.c.Cluster.Member(x.ctx, ep)
				if err != nil {
					return err
				}
				resp, err := m.Maintenance.Status(x.ctx, ep)
				if err != nil {
					return err
				}
				if resp.Header.GetMemberId() == resp.Leader {
					leaderEp, leaderID = ep, resp.Leader
					break
				}
			}
			if leaderEp == "" {
				return withExit(ExitBadArgs, fmt.Errorf("no leader endpoint given at %v", eps))
			}
			m, err := x.c.Cluster.Member(x.ctx, leaderEp)
			if err != nil {
				return err
			}
			if err := x.c.CommitIntent(); err != nil {
				return err
			}
			resp, err := m.Maintenance.MoveLeader(x.ctx, target)
			if err != nil {
				return err
			}
			x.show(func(p printer) { p.MoveLeader(leaderID, target, resp) })
			return nil
		},
	}, nil
}

// planVersion prints the version of the etcdctl the console speaks for.
func planVersion(_ *Engine, inv *Invocation) (*plan, error) {
	return &plan{
		spec:    core.OpSpec{Name: "console.version", Role: core.RoleViewer},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			fmt.Fprintln(&x.stdout, "etcdctl version:", version.Version)
			fmt.Fprintln(&x.stdout, "API version:", version.APIVersion)
			return nil
		},
	}, nil
}
