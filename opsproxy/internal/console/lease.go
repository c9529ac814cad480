package console

import (
	"fmt"
	"strconv"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// leaseArg is etcdctl's leaseFromArgs: a lease id in hexadecimal.
func leaseArg(arg string) (clientv3.LeaseID, error) {
	id, err := strconv.ParseInt(arg, 16, 64)
	if err != nil {
		return 0, badRequest(ExitBadArgs, "bad lease ID arg (%v), expecting ID in Hex", err)
	}
	return clientv3.LeaseID(id), nil
}

func planLeaseGrant(_ *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 1 {
		return nil, badRequest(ExitBadArgs, "lease grant command needs TTL argument")
	}
	ttl, err := strconv.ParseInt(inv.Args[0], 10, 64)
	if err != nil {
		return nil, badRequest(ExitBadArgs, "bad TTL (%v)", err)
	}
	return &plan{
		spec:    core.OpSpec{Name: "leases.grant", Role: core.RoleEditor, Mutating: true},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			if err := x.c.CommitIntent(); err != nil {
				return err
			}
			resp, err := x.c.Cli.Grant(x.ctx, ttl)
			if err != nil {
				return fmt.Errorf("failed to grant lease (%w)", err)
			}
			x.show(func(p printer) { p.Grant(resp) })
			return nil
		},
	}, nil
}

// planLeaseRevoke plans a revoke. Revoking a lease deletes every key attached to it wherever
// it is, so below admin every attached key must lie within the caller's key prefixes.
func planLeaseRevoke(_ *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 1 {
		return nil, badRequest(ExitBadArgs, "lease revoke command needs 1 argument")
	}
	id, err := leaseArg(inv.Args[0])
	if err != nil {
		return nil, err
	}
	return &plan{
		spec:    core.OpSpec{Name: "leases.revoke", Role: core.RoleEditor, Mutating: true},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			if x.c.P.Role < core.RoleAdmin {
				ttl, err := x.c.Cli.TimeToLive(x.ctx, id, clientv3.WithAttachedKeys())
				if err != nil {
					return fmt.Errorf("failed to revoke lease (%w)", err)
				}
				for _, k := range ttl.Keys {
					if err := x.c.P.RequireWrite(k, nil); err != nil {
						return apihttp.Deniedf("lease revoke: lease %016x has keys outside the caller's key prefixes (such as %q); revoking it needs admin", int64(id), k)
					}
				}
			}
			if err := x.c.CommitIntent(); err != nil {
				return err
			}
			resp, err := x.c.Cli.Revoke(x.ctx, id)
			if err != nil {
				return fmt.Errorf("failed to revoke lease (%w)", err)
			}
			x.show(func(p printer) { p.Revoke(id, resp) })
			return nil
		},
	}, nil
}

func planLeaseTimeToLive(_ *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 1 {
		return nil, badRequest(ExitBadArgs, "lease timetolive command needs lease ID as argument")
	}
	id, err := leaseArg(inv.Args[0])
	if err != nil {
		return nil, err
	}
	keys := inv.Bool("keys")
	var opts []clientv3.LeaseOption
	if keys {
		opts = append(opts, clientv3.WithAttachedKeys())
	}
	return &plan{
		spec:    core.OpSpec{Name: "leases.timetolive", Role: core.RoleViewer},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			resp, err := x.c.Cli.TimeToLive(x.ctx, id, opts...)
			if err != nil {
				return withExit(ExitBadConnection, err)
			}
			x.show(func(p printer) { p.TimeToLive(resp, keys) })
			return nil
		},
	}, nil
}

func planLeaseList(_ *Engine, inv *Invocation) (*plan, error) {
	return &plan{
		spec:    core.OpSpec{Name: "leases.list", Role: core.RoleViewer},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			resp, err := x.c.Cli.Leases(x.ctx)
			if err != nil {
				return withExit(ExitBadConnection, err)
			}
			x.show(func(p printer) { p.Leases(resp) })
			return nil
		},
	}, nil
}

// planLeaseKeepAlive renews a lease once: a keep-alive that runs until the lease ends is no
// console request.
func planLeaseKeepAlive(_ *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 1 {
		return nil, badRequest(ExitBadArgs, "lease keep-alive command needs lease ID as argument")
	}
	id, err := leaseArg(inv.Args[0])
	if err != nil {
		return nil, err
	}
	if !inv.Bool("once") {
		return nil, badRequest(ExitBadArgs, "lease keep-alive: only --once in the console (a keep-alive until the lease ends is no console request)")
	}
	return &plan{
		spec:    core.OpSpec{Name: "leases.keepalive", Role: core.RoleEditor, Mutating: true},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			if err := x.c.CommitIntent(); err != nil {
				return err
			}
			resp, err := x.c.Cli.KeepAliveOnce(x.ctx, id)
			if err != nil {
				return withExit(ExitBadConnection, err)
			}
			x.show(func(p printer) { p.KeepAlive(resp) })
			return nil
		},
	}, nil
}
