package completion

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/console"
)

// members offers member ids (hexadecimal, as etcdctl prints and reads them) or names.
func members(ctx context.Context, kind console.ArgKind, cur word, cl Cluster) ([]Candidate, bool, error) {
	ms, err := cl.Members(ctx)
	if err != nil {
		return nil, false, err
	}
	var out []Candidate
	for _, m := range ms {
		learner := ""
		if m.IsLearner {
			learner = ", learner"
		}
		id := fmt.Sprintf("%x", m.ID)
		if kind == console.ArgMemberName {
			if m.Name != "" {
				out = offer(out, cur, m.Name, "member "+id+learner, KindMember, false)
			}
			continue
		}
		name := m.Name
		if name == "" {
			name = "(not started)"
		}
		desc := fmt.Sprintf("%s %s%s", name, strings.Join(m.PeerURLs, ","), learner)
		out = offer(out, cur, id, desc, KindMember, false)
	}
	return out, false, nil
}

// leases offers the cluster's lease ids (hexadecimal, as etcdctl prints and reads them).
func leases(ctx context.Context, cur word, cl Cluster) ([]Candidate, bool, error) {
	ids, err := cl.LeaseIDs(ctx)
	if err != nil {
		return nil, false, err
	}
	slices.Sort(ids)
	var out []Candidate
	for _, id := range ids {
		out = offer(out, cur, fmt.Sprintf("%x", id), "lease", KindLease, false)
	}
	return out, false, nil
}

// snapshots offers the snapshots opsproxy keeps that the caller may use.
func snapshots(ctx context.Context, cur word, cl Cluster) ([]Candidate, bool, error) {
	snaps, err := cl.Snapshots(ctx)
	if err != nil {
		return nil, false, err
	}
	var out []Candidate
	for _, s := range snaps {
		desc := fmt.Sprintf("snapshot, %d bytes", s.Size)
		if s.Cluster != "" {
			desc = fmt.Sprintf("snapshot of cluster %s, %d bytes", s.Cluster, s.Size)
		}
		out = offer(out, cur, s.Name, desc, KindSnapshot, false)
	}
	return out, false, nil
}
