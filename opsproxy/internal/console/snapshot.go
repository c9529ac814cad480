package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"go.uber.org/zap"

	"go.etcd.io/etcd/etcdutl/v3/snapshot"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobkinds"
)

// Job kinds the console enqueues (opsproxy/internal/jobkinds).
const (
	kindDefragment = "defragment"
	kindSnapshot   = "snapshot"
	kindBenchmark  = jobkinds.KindBenchmark
)

// planSnapshotStatus reads a snapshot kept in opsproxy's snapshot directory with etcd's
// snapshot code and prints it as etcdutl snapshot status does (etcd 3.7 moved the command from
// etcdctl to etcdutl).
func planSnapshotStatus(e *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 1 {
		return nil, badRequest(ExitBadArgs, "snapshot status requires exactly one argument")
	}
	name := inv.Args[0]
	if err := snapshotfile.CheckName("filename", name); err != nil {
		return nil, withExit(ExitBadArgs, err)
	}
	return &plan{
		spec:    core.OpSpec{Name: "snapshots.status", Role: core.RoleAdmin},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			x.c.Rec.Key = []byte(name)
			dir := x.e.co.Config().Maintenance.SnapshotDir
			path := filepath.Join(dir, name)
			if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
				return apihttp.Errorf(http.StatusNotFound, "no snapshot %q in opsproxy's snapshot directory", name)
			}
			// A snapshot without readable metadata is of no known cluster: only tokens not
			// limited to clusters may read it, as in the snapshots API.
			meta, _ := snapshotfile.ReadMeta(dir, name)
			if (meta.Cluster == "" && len(x.c.P.Token.Clusters) > 0) || (meta.Cluster != "" && !x.c.P.MayUseCluster(meta.Cluster)) {
				return apihttp.Deniedf("token %s may not use snapshot %q", x.c.P.Token.ID, name)
			}
			st, err := snapshot.NewV3(zap.NewNop()).Status(path)
			if err != nil {
				return err
			}
			printDBStatus(x, st)
			return nil
		},
	}, nil
}

// printDBStatus prints a snapshot's status in etcdutl's formats.
func printDBStatus(x *execution, ds snapshot.Status) {
	hdr := []string{"hash", "revision", "total keys", "total size", "version"}
	row := []string{fmt.Sprintf("%x", ds.Hash), fmt.Sprint(ds.Revision), fmt.Sprint(ds.TotalKey),
		humanize.Bytes(uint64(ds.TotalSize)), ds.Version}
	b, _ := json.Marshal(ds)
	fmt.Fprintln(&x.results, string(b))
	switch x.inv.Format {
	case "json":
		fmt.Fprintln(&x.stdout, string(b))
	case "fields":
		fmt.Fprintln(&x.stdout, `"Hash" :`, ds.Hash)
		fmt.Fprintln(&x.stdout, `"Revision" :`, ds.Revision)
		fmt.Fprintln(&x.stdout, `"Keys" :`, ds.TotalKey)
		fmt.Fprintln(&x.stdout, `"Size" :`, ds.TotalSize)
		fmt.Fprintln(&x.stdout, `"Version" :`, ds.Version)
	case "table":
		table := tablewriter.NewTable(&x.stdout, tablewriter.WithConfig(tablewriter.NewConfigBuilder().WithRowAlignment(tw.AlignRight).Build()))
		table.Header(hdr)
		_ = table.Append(row)
		_ = table.Render()
	default:
		fmt.Fprintln(&x.stdout, strings.Join(row, ", "))
	}
}

// planDefrag enqueues a defragmentation job: every member, one at a time, followers first and
// the leader last, each after a health check (opsproxy's defragment job; etcdctl defragments
// the endpoints it is given, all at once with --cluster).
func planDefrag(e *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 0 {
		return nil, badRequest(ExitBadArgs, "defrag command accepts no arguments")
	}
	return e.planJob(inv, kindDefragment, json.RawMessage(`{}`), "", func(j store.Job) string {
		return fmt.Sprintf("Defragmentation job %s enqueued: every member, one at a time, followers first", j.ID)
	})
}

// planSnapshotSave enqueues a snapshot job saving into opsproxy's snapshot directory under the
// given name (a name, not a path); `etcd-monitor ctl` saves to a local file instead.
func planSnapshotSave(e *Engine, inv *Invocation) (*plan, error) {
	if len(inv.Args) != 1 {
		return nil, badRequest(ExitBadArgs, "snapshot save expects one argument")
	}
	params, err := json.Marshal(map[string]string{"name": inv.Args[0]})
	if err != nil {
		return nil, err
	}
	return e.planJob(inv, kindSnapshot, params, "", func(j store.Job) string {
		return fmt.Sprintf("Snapshot job %s enqueued: saves %s into opsproxy's snapshot directory", j.ID, inv.Args[0])
	})
}

// planJob plans enqueueing a job of kind on the path's cluster, with the checks of the jobs
// API: the kind's role, its parameters and, once the role is checked, whether the cluster as
// configured admits it (409 as in the jobs API, admitHint added: how the line gets past it).
func (e *Engine) planJob(inv *Invocation, kindName string, params json.RawMessage, admitHint string, describe func(store.Job) string) (*plan, error) {
	if e.jobs == nil {
		return nil, badRequest(ExitError, "%s: the jobs runtime is not running in this opsproxy", inv.Path)
	}
	kind, ok := e.jobs.Kind(kindName)
	if !ok {
		return nil, badRequest(ExitError, "%s: job kind %q is not registered", inv.Path, kindName)
	}
	if kind.Validate != nil {
		if err := kind.Validate(params); err != nil {
			return nil, badRequest(ExitBadArgs, "%s: %v", inv.Path, err)
		}
	}
	role, err := core.ParseRole(kind.Role)
	if err != nil {
		role = core.RoleAdmin
	}
	return &plan{
		spec:    core.OpSpec{Name: "jobs.enqueue", Role: role, Mutating: true},
		command: inv.commandLine(nil),
		run: func(x *execution) error {
			if kind.Admit != nil {
				if err := kind.Admit(x.c.Rec.Cluster, params); err != nil {
					// Parameters this cluster does not take (a profile only another cluster
					// offers) are a bad argument, as Validate's refusals are.
					if errors.Is(err, jobs.ErrInvalidParameters) {
						return badRequest(ExitBadArgs, "%s: %v", inv.Path, err)
					}
					return apihttp.Errorf(http.StatusConflict, "%s: %v%s", inv.Path, err, admitHint)
				}
			}
			want := store.Job{ID: store.NewID(), Kind: kind.Name, Cluster: x.c.Rec.Cluster, Parameters: params, RequestedBy: x.c.P.User}
			x.c.Rec.Key = []byte(want.ID)
			if err := x.c.CommitIntent(); err != nil {
				return err
			}
			// As the jobs API: through the runtime's group-committing writer, and carried
			// through to the queue once its attempt is committed, even if the client goes away.
			job, err := jobs.Submit(context.WithoutCancel(x.c.R.Context()), x.e.jobs.Records, x.e.jobs.Queue, want)
			switch {
			case err != nil && job.ID == "":
				return apihttp.StoreError("job", err)
			case err != nil:
				return apihttp.Wrap(http.StatusServiceUnavailable, "queue "+x.e.jobs.Queue.Name()+" unavailable: job "+job.ID+
					" is recorded and will be enqueued when the queue is back", err)
			}
			x.e.jobs.Metrics.Enqueued(kind.Name)
			x.job = &job
			b, _ := json.Marshal(job)
			fmt.Fprintln(&x.results, string(b))
			fmt.Fprintf(&x.stdout, "%s; follow it with GET /api/v1/jobs/%s/events or on the Jobs page\n", describe(job), job.ID)
			return nil
		},
	}, nil
}
