package console

import (
	"net/http"
	"strconv"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// keyRangeOf is the range etcdctl's options select, as the audit record and RBAC see it:
// [key, end), end empty for a single key and "\x00" for every key from key on.
func keyRangeOf(key string, rangeEnd *string, prefix, fromKey bool) (k, end []byte) {
	switch {
	case prefix && key == "":
		return []byte{0}, []byte{0}
	case prefix:
		return []byte(key), []byte(clientv3.GetPrefixRangeEnd(key))
	case fromKey && key == "":
		return []byte{0}, []byte{0}
	case fromKey:
		return []byte(key), []byte{0}
	case rangeEnd != nil:
		return []byte(key), []byte(*rangeEnd)
	}
	return []byte(key), nil
}

// kvGet is a parsed get: its key and options, also used by txn's get requests.
type kvGet struct {
	key, end  []byte
	opts      []clientv3.OpOption
	single    bool
	countOnly bool
}

// parseGet is etcdctl's getGetOp: the same checks, messages and exit codes.
func parseGet(inv *Invocation, maxLimit int64) (*kvGet, error) {
	args := inv.Args
	prefix, fromKey := inv.Bool("prefix"), inv.Bool("from-key")
	keysOnly, countOnly := inv.Bool("keys-only"), inv.Bool("count-only")
	if len(args) == 0 {
		return nil, badRequest(ExitBadArgs, "get command needs one argument as key and an optional argument as range_end")
	}
	if prefix && fromKey {
		return nil, badRequest(ExitBadArgs, "`--prefix` and `--from-key` cannot be set at the same time, choose one")
	}
	if keysOnly && countOnly {
		return nil, badRequest(ExitBadArgs, "`--keys-only` and `--count-only` cannot be set at the same time, choose one")
	}
	var opts []clientv3.OpOption
	switch c := inv.String("consistency"); c {
	case "s":
		opts = append(opts, clientv3.WithSerializable())
	case "l":
	default:
		return nil, badRequest(ExitBadFeature, "unknown consistency flag %q", c)
	}
	var rangeEnd *string
	if len(args) > 1 {
		if prefix || fromKey {
			return nil, badRequest(ExitBadArgs, "too many arguments, only accept one argument when `--prefix` or `--from-key` is set")
		}
		rangeEnd = &args[1]
		opts = append(opts, clientv3.WithRange(args[1]))
	}
	limit := inv.Int("limit")
	if maxLimit > 0 && (limit <= 0 || limit > maxLimit) && !countOnly {
		// The console answers in one piece: a range is cut at max_range_limit keys (More is
		// then true, and Count says how many there are).
		limit = maxLimit
	}
	opts = append(opts, clientv3.WithLimit(limit))
	if rev := inv.Int("rev"); rev > 0 {
		opts = append(opts, clientv3.WithRev(rev))
	}
	sortByOrder := clientv3.SortNone
	switch order := inv.String("order"); strings.ToUpper(order) {
	case "ASCEND":
		sortByOrder = clientv3.SortAscend
	case "DESCEND":
		sortByOrder = clientv3.SortDescend
	case "":
	default:
		return nil, badRequest(ExitBadFeature, "bad sort order %v", order)
	}
	sortByTarget := clientv3.SortByKey
	switch target := inv.String("sort-by"); strings.ToUpper(target) {
	case "CREATE":
		sortByTarget = clientv3.SortByCreateRevision
	case "KEY":
		sortByTarget = clientv3.SortByKey
	case "MODIFY":
		sortByTarget = clientv3.SortByModRevision
	case "VALUE":
		sortByTarget = clientv3.SortByValue
	case "VERSION":
		sortByTarget = clientv3.SortByVersion
	case "":
	default:
		return nil, badRequest(ExitBadFeature, "bad sort target %v", target)
	}
	opts = append(opts, clientv3.WithSort(sortByTarget, sortByOrder))
	if prefix {
		if len(args[0]) == 0 {
			opts = append(opts, clientv3.WithFromKey())
		} else {
			opts = append(opts, clientv3.WithPrefix())
		}
	}
	if fromKey {
		opts = append(opts, clientv3.WithFromKey())
	}
	if keysOnly {
		opts = append(opts, clientv3.WithKeysOnly())
	}
	if countOnly {
		opts = append(opts, clientv3.WithCountOnly())
	}
	minCreate, maxCreate := inv.Int("min-create-rev"), inv.Int("max-create-rev")
	if minCreate > 0 {
		opts = append(opts, clientv3.WithMinCreateRev(minCreate))
	}
	if maxCreate > 0 {
		if minCreate > maxCreate {
			return nil, badRequest(ExitBadFeature, "getMinCreateRev(=%v) > getMaxCreateRev(=%v)", minCreate, maxCreate)
		}
		opts = append(opts, clientv3.WithMaxCreateRev(maxCreate))
	}
	minMod, maxMod := inv.Int("min-mod-rev"), inv.Int("max-mod-rev")
	if minMod > 0 {
		opts = append(opts, clientv3.WithMinModRev(minMod))
	}
	if maxMod > 0 {
		if minMod > maxMod {
			return nil, badRequest(ExitBadFeature, "getMinModRev(=%v) > getMaxModRev(=%v)", minMod, maxMod)
		}
		opts = append(opts, clientv3.WithMaxModRev(maxMod))
	}
	// The key sent is the key of the range ("\x00" for every key).
	k, end := keyRangeOf(args[0], rangeEnd, prefix, fromKey)
	return &kvGet{key: k, end: end, opts: opts, single: len(end) == 0, countOnly: countOnly}, nil
}

func planGet(e *Engine, inv *Invocation) (*plan, error) {
	g, err := parseGet(inv, e.co.Config().Limits.MaxRangeLimit)
	if err != nil {
		return nil, err
	}
	if g.countOnly && inv.Format != "fields" {
		return nil, badRequest(ExitBadArgs, "--count-only is only for `--write-out=fields`")
	}
	valueOnly := inv.Bool("print-value-only")
	if valueOnly && inv.Format != "simple" {
		return nil, badRequest(ExitBadArgs, "print-value-only is only for `--write-out=simple`")
	}
	return &plan{
		spec:    core.OpSpec{Name: "keys.get", Role: core.RoleViewer},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			x.c.Rec.Key, x.c.Rec.RangeEnd = g.key, g.end
			if sp, ok := x.display.(*simplePrinter); ok {
				sp.valueOnly = valueOnly
			}
			var resp *clientv3.GetResponse
			if g.single && !g.countOnly {
				res, err := x.c.Cluster.Reads().Do(x.ctx, x.c.Cli, clientv3.OpGet(string(g.key), g.opts...))
				if err != nil {
					return err
				}
				resp = res.Get
			} else {
				var err error
				if resp, err = x.c.Cli.Get(x.ctx, string(g.key), g.opts...); err != nil {
					return err
				}
			}
			x.show(func(p printer) { p.Get(resp) })
			return nil
		},
	}, nil
}

// kvPut is a parsed put, also used by txn's put requests.
type kvPut struct {
	key, value string
	opts       []clientv3.OpOption
}

// parsePut is etcdctl's getPutOp: the value is the second argument or, without it, stdin.
func parsePut(inv *Invocation) (*kvPut, error) {
	args := inv.Args
	if len(args) == 0 {
		return nil, badRequest(ExitBadArgs, "put command needs 1 argument and input from stdin or 2 arguments")
	}
	ignoreValue := inv.Bool("ignore-value")
	if ignoreValue && len(args) > 1 {
		return nil, badRequest(ExitBadArgs, "put command needs only 1 argument when 'ignore-value' is set")
	}
	p := &kvPut{key: args[0]}
	if !ignoreValue {
		switch {
		case len(args) > 1:
			p.value = args[1]
		case inv.Stdin != "":
			p.value = inv.Stdin
		default:
			return nil, badRequest(ExitBadArgs, "put command needs 1 argument and input from stdin or 2 arguments")
		}
	}
	id, err := strconv.ParseInt(inv.String("lease"), 16, 64)
	if err != nil {
		return nil, badRequest(ExitBadArgs, "bad lease ID (%v), expecting ID in Hex", err)
	}
	if id != 0 {
		p.opts = append(p.opts, clientv3.WithLease(clientv3.LeaseID(id)))
	}
	if inv.Bool("prev-kv") {
		p.opts = append(p.opts, clientv3.WithPrevKV())
	}
	if ignoreValue {
		p.opts = append(p.opts, clientv3.WithIgnoreValue())
	}
	if inv.Bool("ignore-lease") {
		p.opts = append(p.opts, clientv3.WithIgnoreLease())
	}
	return p, nil
}

func planPut(e *Engine, inv *Invocation) (*plan, error) {
	p, err := parsePut(inv)
	if err != nil {
		return nil, err
	}
	command := inv.commandLine(map[int]bool{1: true})
	if len(inv.Args) < 2 && !inv.Bool("ignore-value") {
		command += " " + redacted(p.value) + " (from stdin)"
	}
	return &plan{
		spec:    core.OpSpec{Name: "keys.put", Role: core.RoleEditor, Mutating: true},
		command: command,
		run: func(x *execution) error {
			x.c.Rec.Key = []byte(p.key)
			if !inv.Bool("ignore-value") {
				x.c.Rec.ValueSize, x.c.Rec.ValueSHA256 = store.ValueDigest([]byte(p.value))
			}
			if err := x.c.P.RequireWrite([]byte(p.key), nil); err != nil {
				return err
			}
			if err := x.e.checkSize(len(p.key) + len(p.value)); err != nil {
				return err
			}
			if err := x.c.CommitIntent(); err != nil {
				return err
			}
			resp, err := x.c.Cli.Put(x.ctx, p.key, p.value, p.opts...)
			if err != nil {
				return err
			}
			x.show(func(pr printer) { pr.Put(resp) })
			return nil
		},
	}, nil
}

// checkSize refuses (413) keys and values etcd would refuse as too large, as the keys API does.
func (e *Engine) checkSize(n int) error {
	limit := e.co.Config().Limits.MaxRequestBytes
	if n+conns.RequestOverhead > limit {
		return apihttp.Errorf(http.StatusRequestEntityTooLarge, "keys and values are %d bytes: etcd accepts at most %d per request (max_request_bytes %d)",
			n, limit-conns.RequestOverhead, limit)
	}
	return nil
}

// kvDel is a parsed del, also used by txn's delete requests.
type kvDel struct {
	key, end []byte
	opts     []clientv3.OpOption
}

// parseDel is etcdctl's getDelOp. etcdctl warns and waits two seconds before deleting a range
// given without --range; the console neither warns nor waits (see docs/console.md).
func parseDel(inv *Invocation) (*kvDel, error) {
	args := inv.Args
	prefix, fromKey := inv.Bool("prefix"), inv.Bool("from-key")
	if len(args) == 0 || len(args) > 2 {
		return nil, badRequest(ExitBadArgs, "del command needs one argument as key and an optional argument as range_end")
	}
	if prefix && fromKey {
		return nil, badRequest(ExitBadArgs, "`--prefix` and `--from-key` cannot be set at the same time, choose one")
	}
	var opts []clientv3.OpOption
	key := args[0]
	var rangeEnd *string
	if len(args) > 1 {
		if prefix || fromKey {
			return nil, badRequest(ExitBadArgs, "too many arguments, only accept one argument when `--prefix` or `--from-key` is set")
		}
		rangeEnd = &args[1]
		opts = append(opts, clientv3.WithRange(args[1]))
	}
	if prefix {
		if len(key) == 0 {
			key = "\x00"
			opts = append(opts, clientv3.WithFromKey())
		} else {
			opts = append(opts, clientv3.WithPrefix())
		}
	}
	if inv.Bool("prev-kv") {
		opts = append(opts, clientv3.WithPrevKV())
	}
	if fromKey {
		if len(key) == 0 {
			key = "\x00"
		}
		opts = append(opts, clientv3.WithFromKey())
	}
	_, end := keyRangeOf(args[0], rangeEnd, prefix, fromKey)
	return &kvDel{key: []byte(key), end: end, opts: opts}, nil
}

func planDel(e *Engine, inv *Invocation) (*plan, error) {
	d, err := parseDel(inv)
	if err != nil {
		return nil, err
	}
	return &plan{
		spec:    core.OpSpec{Name: "keys.delete", Role: core.RoleEditor, Mutating: true},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			x.c.Rec.Key, x.c.Rec.RangeEnd = d.key, d.end
			if err := x.c.P.RequireWrite(d.key, d.end); err != nil {
				return err
			}
			if err := x.c.CommitIntent(); err != nil {
				return err
			}
			resp, err := x.c.Cli.Delete(x.ctx, string(d.key), d.opts...)
			if err != nil {
				return err
			}
			x.show(func(p printer) { p.Del(resp) })
			return nil
		},
	}, nil
}
