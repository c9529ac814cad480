package maintenance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/defrag"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// compactRequest is the body of POST /compact: a revision, or how many revisions to keep.
type compactRequest struct {
	Revision int64 `json:"revision"`
	Keep     int64 `json:"keep"`
	// Physical waits until the compaction is applied to the backend.
	Physical bool `json:"physical"`
}

func (s *api) compact(c *core.Call) (any, error) {
	var req compactRequest
	if err := apihttp.DecodeJSON(c.R, &req, 4<<10); err != nil {
		return nil, err
	}
	switch {
	case (req.Revision != 0) == (req.Keep != 0):
		return nil, apihttp.Errorf(http.StatusBadRequest, "revision, keep: set exactly one")
	case req.Revision < 0:
		return nil, apihttp.Errorf(http.StatusBadRequest, "revision: must be greater than 0")
	case req.Keep < 0:
		return nil, apihttp.Errorf(http.StatusBadRequest, "keep: must be greater than 0")
	}
	ctx, cancel := c.Cluster.RequestCtx(c.R.Context())
	defer cancel()
	rev := req.Revision
	if req.Keep > 0 {
		resp, err := c.Cli.Get(ctx, "health", clientv3.WithCountOnly())
		if err != nil && !errors.Is(err, rpctypes.ErrPermissionDenied) {
			return nil, err
		}
		current := resp.Header.Revision
		rev = current - req.Keep
		if rev <= 0 {
			return nil, apihttp.Errorf(http.StatusConflict, "keep: the cluster has only %d revisions", current)
		}
	}
	c.Rec.Key = []byte(fmt.Sprint(rev))
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	var opts []clientv3.CompactOption
	if req.Physical {
		opts = append(opts, clientv3.WithCompactPhysical())
	}
	resp, err := c.Cli.Compact(ctx, rev, opts...)
	if errors.Is(err, rpctypes.ErrCompacted) {
		return nil, apihttp.Errorf(http.StatusConflict, "revision %d is already compacted", rev)
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"header": apihttp.HeaderOf(resp.Header), "compacted_to": rev}, nil
}

// defragRequest is the body of POST /defragment.
type defragRequest struct {
	// DryRun says what would be done, in order, without doing it.
	DryRun bool `json:"dry_run"`
}

// DefragStep is one member's turn.
type DefragStep struct {
	Member       string `json:"member"`
	Endpoint     string `json:"endpoint"`
	Leader       bool   `json:"leader"`
	DBSizeBefore int64  `json:"db_size_before"`
	DBSizeAfter  int64  `json:"db_size_after,omitempty"`
	Done         bool   `json:"done"`
}

// defragment defragments one member at a time, followers first and the leader last, each
// only after its health check passes; it stops at the first member that fails either.
func (s *api) defragment(c *core.Call) (any, error) {
	var req defragRequest
	if err := apihttp.DecodeJSON(c.R, &req, 4<<10); err != nil && !isEmptyBody(err) {
		return nil, err
	}
	states, err := c.Cluster.MemberStates(c.R.Context())
	if err != nil {
		return nil, err
	}
	for _, st := range states {
		if !st.Healthy {
			return nil, apihttp.Errorf(http.StatusConflict, "member %s (%s) is unhealthy: %s; nothing was defragmented", st.Member, st.Endpoint, st.Error)
		}
	}
	defrag.FollowersFirst(states)
	plan := make([]DefragStep, len(states))
	for i, st := range states {
		plan[i] = DefragStep{Member: st.Member, Endpoint: st.Endpoint, Leader: st.Status.IsLeader, DBSizeBefore: st.Status.DBSize}
	}
	if req.DryRun {
		return map[string]any{"dry_run": true, "steps": plan}, nil
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	for i := range plan {
		step := &plan[i]
		check := conns.EndpointState{Member: step.Member, Endpoint: step.Endpoint}
		hctx, hcancel := context.WithTimeout(c.R.Context(), time.Duration(s.Config().Maintenance.HealthTimeout))
		c.Cluster.CheckEndpoint(hctx, &check)
		hcancel()
		if !check.Healthy {
			return nil, apihttp.Errorf(http.StatusConflict, "member %s failed its health check before defragmentation (%s); done: %s",
				step.Member, check.Error, doneMembers(plan))
		}
		ctx, cancel := context.WithTimeout(c.R.Context(), time.Duration(s.Config().Maintenance.DefragTimeout))
		err := defrag.Member(ctx, c.Cluster, step.Endpoint)
		cancel()
		if err != nil {
			_, msg := apihttp.StatusOf(err)
			return nil, apihttp.Errorf(http.StatusBadGateway, "defragment member %s: %s; done: %s", step.Member, msg, doneMembers(plan))
		}
		step.Done = true
		sctx, cancel := c.Cluster.RequestCtx(c.R.Context())
		if st, err := c.Cli.Status(sctx, step.Endpoint); err == nil {
			step.DBSizeAfter = st.DbSize
		}
		cancel()
	}
	return map[string]any{"dry_run": false, "steps": plan}, nil
}

func doneMembers(plan []DefragStep) string {
	var done []string
	for _, st := range plan {
		if st.Done {
			done = append(done, st.Member)
		}
	}
	if len(done) == 0 {
		return "none"
	}
	return strings.Join(done, ", ")
}

// isEmptyBody reports a decode error for an absent body, which some operations accept.
func isEmptyBody(err error) bool {
	var ae *apihttp.Error
	return errors.As(err, &ae) && strings.HasSuffix(ae.Error(), "empty, want a JSON object")
}
