package console

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// memberArg is a member id in hexadecimal, as etcdctl reads it.
func memberArg(inv *Invocation) (uint64, error) {
	if len(inv.Args) != 1 {
		return 0, badRequest(ExitBadArgs, "member ID is not provided")
	}
	id, err := strconv.ParseUint(inv.Args[0], 16, 64)
	if err != nil {
		return 0, badRequest(ExitBadArgs, "bad member ID arg (%v), expecting ID in Hex", err)
	}
	return id, nil
}

func planMemberList(_ *Engine, inv *Invocation) (*plan, error) {
	var opts []clientv3.OpOption
	switch c := inv.String("consistency"); c {
	case "s":
		opts = append(opts, clientv3.WithSerializable())
	case "l":
	default:
		return nil, badRequest(ExitBadFeature, "unknown consistency flag %q", c)
	}
	return &plan{
		spec:    core.OpSpec{Name: "members.list", Role: core.RoleViewer},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			resp, err := x.c.Cli.MemberList(x.ctx, opts...)
			if err != nil {
				return err
			}
			x.show(func(p printer) { p.MemberList(resp) })
			return nil
		},
	}, nil
}

func planMemberAdd(_ *Engine, inv *Invocation) (*plan, error) {
	args := inv.Args
	if len(args) < 1 {
		return nil, badRequest(ExitBadArgs, "member name not provided")
	}
	if len(args) > 1 {
		ev := "too many arguments"
		for _, s := range args {
			if strings.HasPrefix(strings.ToLower(s), "http") {
				ev += fmt.Sprintf(`, did you mean --peer-urls=%s`, s)
			}
		}
		return nil, badRequest(ExitBadArgs, "%s", ev)
	}
	name, peerURLs := args[0], inv.String("peer-urls")
	if len(peerURLs) == 0 {
		return nil, badRequest(ExitBadArgs, "%s", errors.New("member peer urls not provided"))
	}
	urls := strings.Split(peerURLs, ",")
	learner := inv.Bool("learner")
	return &plan{
		spec:    core.OpSpec{Name: "members.add", Role: core.RoleAdmin, Mutating: true},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			if err := x.c.CommitIntent(); err != nil {
				return err
			}
			var resp *clientv3.MemberAddResponse
			var err error
			if learner {
				resp, err = x.c.Cli.MemberAddAsLearner(x.ctx, urls)
			} else {
				resp, err = x.c.Cli.MemberAdd(x.ctx, urls)
			}
			if err != nil {
				return err
			}
			x.show(func(p printer) { p.MemberAdd(resp) })
			if x.inv.Format == "simple" {
				printInitialCluster(x, resp, name, peerURLs)
			}
			return nil
		},
	}, nil
}

// printInitialCluster prints the environment etcdctl prints for starting the new member.
func printInitialCluster(x *execution, resp *clientv3.MemberAddResponse, name, peerURLs string) {
	var conf []string
	for _, memb := range resp.Members {
		for _, u := range memb.PeerURLs {
			n := memb.Name
			if memb.ID == resp.Member.ID {
				n = name
			}
			conf = append(conf, fmt.Sprintf("%s=%s", n, u))
		}
	}
	fmt.Fprint(&x.stdout, "\n")
	fmt.Fprintf(&x.stdout, "ETCD_NAME=%q\n", name)
	fmt.Fprintf(&x.stdout, "ETCD_INITIAL_CLUSTER=%q\n", strings.Join(conf, ","))
	fmt.Fprintf(&x.stdout, "ETCD_INITIAL_ADVERTISE_PEER_URLS=%q\n", peerURLs)
	fmt.Fprint(&x.stdout, "ETCD_INITIAL_CLUSTER_STATE=\"existing\"\n")
}

func planMemberRemove(_ *Engine, inv *Invocation) (*plan, error) {
	id, err := memberArg(inv)
	if err != nil {
		return nil, err
	}
	return &plan{
		spec:    core.OpSpec{Name: "members.remove", Role: core.RoleAdmin, Mutating: true},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			if err := x.c.CommitIntent(); err != nil {
				return err
			}
			resp, err := x.c.Cli.MemberRemove(x.ctx, id)
			if err != nil {
				return err
			}
			x.show(func(p printer) { p.MemberRemove(id, resp) })
			return nil
		},
	}, nil
}

func planMemberPromote(_ *Engine, inv *Invocation) (*plan, error) {
	id, err := memberArg(inv)
	if err != nil {
		return nil, err
	}
	return &plan{
		spec:    core.OpSpec{Name: "members.promote", Role: core.RoleAdmin, Mutating: true},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			if err := x.c.CommitIntent(); err != nil {
				return err
			}
			resp, err := x.c.Cli.MemberPromote(x.ctx, id)
			if err != nil {
				return err
			}
			x.show(func(p printer) { p.MemberPromote(id, resp) })
			return nil
		},
	}, nil
}
