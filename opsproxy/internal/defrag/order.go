package defrag

import (
	"slices"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
)

// FollowersFirst orders states for a defragmentation: the followers by name, then the leader,
// so that the leader (whose pause costs an election when it is long) goes last. A member
// without a status counts as a follower.
func FollowersFirst(states []conns.EndpointState) {
	slices.SortStableFunc(states, func(a, b conns.EndpointState) int {
		al, bl := isLeader(a), isLeader(b)
		switch {
		case al == bl:
			return strings.Compare(a.Member, b.Member)
		case al:
			return 1
		}
		return -1
	})
}

func isLeader(st conns.EndpointState) bool { return st.Status != nil && st.Status.IsLeader }
