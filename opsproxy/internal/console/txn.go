package console

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// txnRequest is one of a transaction's requests, with the key range RBAC checks for writes.
type txnRequest struct {
	op       clientv3.Op
	write    bool
	key, end []byte
	value    string
	// recorded is the request as audited: a put's value redacted.
	recorded string
}

// planTxn reads etcdctl's txn input from the lines after the command: compares up to a blank
// line, then the success requests up to a blank line, then the failure requests. etcdctl
// fails with "EOF" when the input does not end with those blank lines; the console takes the
// end of the input as the end of the section.
func planTxn(e *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 0 {
		return nil, badRequest(ExitBadArgs, "txn command does not accept argument")
	}
	lines := inv.StdinLines
	next := func() []string {
		var section []string
		for len(lines) > 0 {
			l := strings.TrimSpace(lines[0])
			lines = lines[1:]
			if l == "" {
				break
			}
			section = append(section, l)
		}
		return section
	}
	recorded := []string{inv.commandLine(nil)}
	var cmps []clientv3.Cmp
	for _, l := range next() {
		cmp, rec, err := parseCompare(l)
		if err != nil {
			return nil, badRequest(ExitInvalidInput, "%s", err.Error())
		}
		cmps = append(cmps, *cmp)
		recorded = append(recorded, rec)
	}
	recorded = append(recorded, "")
	maxLimit := e.co.Config().Limits.MaxRangeLimit
	var reqs []txnRequest
	readOps := func() ([]clientv3.Op, error) {
		var ops []clientv3.Op
		for _, l := range next() {
			r, err := parseTxnRequest(l, maxLimit)
			if err != nil {
				return nil, err
			}
			ops = append(ops, r.op)
			reqs = append(reqs, *r)
			recorded = append(recorded, r.recorded)
		}
		return ops, nil
	}
	then, err := readOps()
	if err != nil {
		return nil, err
	}
	recorded = append(recorded, "")
	els, err := readOps()
	if err != nil {
		return nil, err
	}
	spec := core.OpSpec{Name: "keys.txn", Role: core.RoleViewer}
	for _, r := range reqs {
		if r.write {
			spec.Role, spec.Mutating = core.RoleEditor, true
		}
	}
	interactive := inv.Bool("interactive")
	return &plan{
		spec:    spec,
		command: strings.Join(recorded, "\n"),
		run: func(x *execution) error {
			var total int64
			for _, r := range reqs {
				if !r.write {
					continue
				}
				if err := x.c.P.RequireWrite(r.key, r.end); err != nil {
					return err
				}
				total += int64(len(r.key) + len(r.value))
			}
			if err := x.e.checkSize(int(total)); err != nil {
				return err
			}
			if len(reqs) == 1 && reqs[0].write {
				x.c.Rec.Key, x.c.Rec.RangeEnd = reqs[0].key, reqs[0].end
				if reqs[0].op.IsPut() {
					x.c.Rec.ValueSize, x.c.Rec.ValueSHA256 = store.ValueDigest([]byte(reqs[0].value))
				}
			}
			if spec.Mutating {
				if err := x.c.CommitIntent(); err != nil {
					return err
				}
			}
			if interactive {
				// etcdctl -i prompts for each section on stdout.
				fmt.Fprintln(&x.stdout, "compares:")
				fmt.Fprintln(&x.stdout, "success requests (get, put, del):")
				fmt.Fprintln(&x.stdout, "failure requests (get, put, del):")
			}
			resp, err := x.c.Cli.Txn(x.ctx).If(cmps...).Then(then...).Else(els...).Commit()
			if err != nil {
				return err
			}
			x.show(func(p printer) { p.Txn(resp) })
			return nil
		},
	}, nil
}

// argsRegexp is etcdctl's Argify: how txn's request lines are split into words.
var argsRegexp = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'[^']*'|[^'"\s]\S*[^'"\s]?`)

// argify splits a txn request line as etcdctl does.
func argify(s string) ([]string, error) {
	args := argsRegexp.FindAllString(s, -1)
	for i := range args {
		if len(args[i]) == 0 {
			continue
		}
		if args[i][0] == '\'' {
			args[i] = args[i][1 : len(args[i])-1]
		} else if args[i][0] == '"' {
			if _, err := fmt.Sscanf(args[i], "%q", &args[i]); err != nil {
				return nil, err
			}
		}
	}
	return args, nil
}

// parseTxnRequest is etcdctl's parseRequestUnion: a get, put or del with its flags.
func parseTxnRequest(line string, maxLimit int64) (*txnRequest, error) {
	args, err := argify(line)
	if err != nil {
		return nil, badRequest(ExitInvalidInput, "%s", err.Error())
	}
	if len(args) < 2 {
		return nil, badRequest(ExitInvalidInput, "invalid txn compare request: %s", line)
	}
	inv, err := parseRequest(args)
	if err != nil {
		return nil, badRequest(ExitInvalidInput, "invalid txn request: %s", line)
	}
	switch inv.Path {
	case "get":
		g, err := parseGet(inv, maxLimit)
		if err != nil {
			return nil, err
		}
		return &txnRequest{op: clientv3.OpGet(string(g.key), g.opts...), recorded: inv.commandLine(nil)}, nil
	case "put":
		p, err := parsePut(inv)
		if err != nil {
			return nil, err
		}
		return &txnRequest{op: clientv3.OpPut(p.key, p.value, p.opts...), write: true, key: []byte(p.key), value: p.value,
			recorded: inv.commandLine(map[int]bool{1: true})}, nil
	}
	d, err := parseDel(inv)
	if err != nil {
		return nil, err
	}
	return &txnRequest{op: clientv3.OpDelete(string(d.key), d.opts...), write: true, key: d.key, end: d.end, recorded: inv.commandLine(nil)}, nil
}

// parseCompare is etcdctl's ParseCompare, returning also the compare as audited (a compared
// value redacted). etcdctl panics on an unknown operator and on a lease compare (it passes
// the lease as text); the console refuses the first and reads the lease as a decimal id.
func parseCompare(line string) (*clientv3.Cmp, string, error) {
	var key, op, val string
	lparenSplit := strings.SplitN(line, "(", 2)
	if len(lparenSplit) != 2 {
		return nil, "", fmt.Errorf("malformed comparison: %s", line)
	}
	target := lparenSplit[0]
	n, serr := fmt.Sscanf(lparenSplit[1], "%q) %s %q", &key, &op, &val)
	if n != 3 {
		return nil, "", fmt.Errorf("malformed comparison: %s; got %s(%q) %s %q", line, target, key, op, val)
	}
	if serr != nil {
		return nil, "", fmt.Errorf("malformed comparison: %s (%w)", line, serr)
	}
	switch op {
	case "=", "!=", ">", "<":
	default:
		return nil, "", fmt.Errorf("malformed comparison: %s (unknown operator %s: want =, !=, > or <)", line, op)
	}
	recorded := fmt.Sprintf("%s(%q) %s %q", target, key, op, val)
	var (
		v   int64
		err error
		cmp clientv3.Cmp
	)
	switch target {
	case "ver", "version":
		if v, err = strconv.ParseInt(val, 10, 64); err == nil {
			cmp = clientv3.Compare(clientv3.Version(key), op, v)
		}
	case "c", "create":
		if v, err = strconv.ParseInt(val, 10, 64); err == nil {
			cmp = clientv3.Compare(clientv3.CreateRevision(key), op, v)
		}
	case "m", "mod":
		if v, err = strconv.ParseInt(val, 10, 64); err == nil {
			cmp = clientv3.Compare(clientv3.ModRevision(key), op, v)
		}
	case "val", "value":
		cmp = clientv3.Compare(clientv3.Value(key), op, val)
		recorded = fmt.Sprintf("%s(%q) %s %s", target, key, op, redacted(val))
	case "lease":
		if v, err = strconv.ParseInt(val, 10, 64); err == nil {
			cmp = clientv3.Compare(clientv3.LeaseValue(key), op, v)
		}
	default:
		return nil, "", fmt.Errorf("malformed comparison: %s (unknown target %s)", line, target)
	}
	if err != nil {
		return nil, "", errors.New("invalid txn compare request: " + line)
	}
	return &cmp, recorded, nil
}
