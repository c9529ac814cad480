package etcdconn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Health is a member's answer to etcdctl endpoint health.
type Health struct {
	Healthy bool
	// Took is how long the read of "health" took (0 when it was not made).
	Took time.Duration
	// Alarms are the active alarms (NOSPACE, CORRUPT) that make the member unhealthy.
	Alarms []string
	// Err says why the member is unhealthy; nil when it is healthy.
	Err error
}

// AlarmSource returns the cluster's alarm list. Alarms are raft state, the same on every member:
// a caller checking several members can ask once and share the answer.
type AlarmSource func(context.Context) (*clientv3.AlarmResponse, error)

// CheckHealth is etcdctl endpoint health (etcdctl 3.6/3.7, ep_command.go) on a member: a
// linearizable read of the key "health" succeeds, or fails with permission denied (the request
// went through raft: with auth enabled, that counts), and then the alarm list has no active alarm
// (any alarm makes the member unhealthy, named in the error; a list that cannot be had does too).
// Learners are treated as etcdctl treats them: a learner serves no linearizable read, so it is
// unhealthy ("rpc not supported for learner"). alarms nil asks the member itself, as etcdctl does.
// Errors are *Error.
func CheckHealth(ctx context.Context, m *Member, alarms AlarmSource) Health {
	start := time.Now()
	err := m.Do(ctx, func(ctx context.Context) error {
		_, err := m.Client.Get(ctx, "health")
		return err
	})
	h := Health{Took: time.Since(start)}
	if err != nil && !errors.Is(err, rpctypes.ErrPermissionDenied) {
		h.Err = fmt.Errorf("%s is unhealthy: failed to commit proposal: %w", m.Endpoint, err)
		return h
	}
	if alarms == nil {
		alarms = m.Maintenance.AlarmList
	}
	list, err := alarms(ctx)
	if err != nil {
		h.Err = Classify(fmt.Errorf("%s is unhealthy: unable to fetch the alarm list: %w", m.Endpoint, err))
		return h
	}
	for _, a := range list.Alarms {
		h.Alarms = append(h.Alarms, a.Alarm.String())
	}
	if len(h.Alarms) > 0 {
		h.Err = &Error{Kind: KindOther, Err: fmt.Errorf("%s is unhealthy: active alarm(s): %s", m.Endpoint, strings.Join(h.Alarms, " "))}
		return h
	}
	h.Healthy = true
	return h
}
