package tokens

import (
	"slices"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// Token management is scoped: an admin token manages (sees, creates, revokes) only tokens that
// reach no further than itself.
//
//   - Clusters: a token limited to clusters manages only tokens limited to clusters among its
//     own (a non-empty subset). Only a token for all clusters manages tokens for all clusters.
//   - Key prefixes: a token limited to key prefixes manages only tokens limited to key
//     prefixes each of which lies under one of its own (starts with it). Only a token without
//     prefixes manages tokens without prefixes.
//
// The CLI works on the store directly and is unlimited.

// scope is the reach of a token: the clusters and key prefixes it is limited to (empty: all).
type scope struct {
	clusters, prefixes []string
}

func scopeOf(t store.Token) scope { return scope{clusters: t.Clusters, prefixes: t.KeyPrefixes} }

// scopeOfPrincipal is the reach of who manages tokens: the token's clusters and the key
// prefixes granted (a Grafana user may be granted fewer than its service token has).
func scopeOfPrincipal(p *core.Principal) scope {
	return scope{clusters: p.Token.Clusters, prefixes: p.KeyPrefixes}
}

// within returns nil when target reaches no further than s, and otherwise a refusal saying why,
// naming what about the target of the given kind ("token x", "the new token") is outside.
func (s scope) within(target scope, what string) error {
	if len(s.clusters) > 0 {
		if len(target.clusters) == 0 {
			return apihttp.Deniedf("%s is for all clusters; a token limited to clusters (%s) manages only tokens limited to some of them",
				what, strings.Join(s.clusters, ", "))
		}
		for _, c := range target.clusters {
			if !slices.Contains(s.clusters, c) {
				return apihttp.Deniedf("%s: cluster %q is outside the managing token's clusters (%s)", what, c, strings.Join(s.clusters, ", "))
			}
		}
	}
	if len(s.prefixes) > 0 {
		if len(target.prefixes) == 0 {
			return apihttp.Deniedf("%s is for all keys; a token limited to key prefixes (%s) manages only tokens limited to prefixes under them",
				what, strings.Join(s.prefixes, ", "))
		}
		for _, p := range target.prefixes {
			if !slices.ContainsFunc(s.prefixes, func(own string) bool { return strings.HasPrefix(p, own) }) {
				return apihttp.Deniedf("%s: key prefix %q is outside the managing token's key prefixes (%s)", what, p, strings.Join(s.prefixes, ", "))
			}
		}
	}
	return nil
}

// manages reports whether a token of scope s may see and revoke t.
func (s scope) manages(t store.Token) bool { return s.within(scopeOf(t), "") == nil }
