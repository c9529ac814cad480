package core

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
)

// Role is what a Principal may do; each role includes the ones below it.
type Role int

// Roles, lowest first.
const (
	RoleNone Role = iota
	// RoleViewer reads keys, status, members and alarms, watches and reads the audit log.
	RoleViewer
	// RoleEditor also puts and deletes keys, under the token's key prefixes.
	RoleEditor
	// RoleAdmin also changes membership, disarms alarms, runs maintenance and manages tokens.
	RoleAdmin
)

var roleNames = map[Role]string{RoleViewer: "viewer", RoleEditor: "editor", RoleAdmin: "admin"}

func (r Role) String() string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return "none"
}

// ParseRole reads "viewer", "editor" or "admin".
func ParseRole(s string) (Role, error) {
	for r, n := range roleNames {
		if n == s {
			return r, nil
		}
	}
	return RoleNone, fmt.Errorf("role %q: want viewer, editor or admin", s)
}

// Principal is who a request acts as: a token, or the Grafana user a service token acts for.
type Principal struct {
	Token store.Token
	// User is the end user recorded in the audit log.
	User string
	// Role is the effective role: the token's, or the lower of the token's and the one granted
	// to the Grafana user's org role.
	Role Role
	// KeyPrefixes are the effective key prefixes writes are limited to (empty: all): the
	// token's, or those granted to the Grafana user's org role within the token's.
	KeyPrefixes []string
}

// MayUseCluster reports whether the token's cluster scope includes name.
func (p *Principal) MayUseCluster(name string) bool {
	return len(p.Token.Clusters) == 0 || slices.Contains(p.Token.Clusters, name)
}

// ListCluster is the cluster a list of what (its plural, for errors: "benchmarks") reads for
// p, given the cluster asked for (empty: every cluster). A token limited to one cluster lists
// that one when none is asked for; one limited to several must ask for one of them.
func (p *Principal) ListCluster(asked, what string) (string, error) {
	scope := p.Token.Clusters
	switch {
	case len(scope) == 0:
		return asked, nil
	case asked == "" && len(scope) == 1:
		return scope[0], nil
	case asked == "":
		return "", apihttp.Deniedf("cluster: required, as the token is limited to %s", strings.Join(scope, ", "))
	case !slices.Contains(scope, asked):
		return "", apihttp.Deniedf("token %s may not read the %s of cluster %q", p.Token.ID, what, asked)
	}
	return asked, nil
}

// RequireRole refuses principals below min.
func (p *Principal) RequireRole(min Role, op string) error {
	if p.Role < min {
		return apihttp.Deniedf("role %s may not %s: needs %s", p.Role, op, min)
	}
	return nil
}

// RequireWrite refuses a write to [key, end) (end empty: the single key) that does not lie
// entirely under one of the token's key prefixes, and, below admin, a range that is not under
// one key prefix at all (see spansKeyspace): deleting the whole keyspace needs admin.
func (p *Principal) RequireWrite(key, end []byte) error {
	if err := p.RequireRole(RoleEditor, "write keys"); err != nil {
		return err
	}
	if p.Role < RoleAdmin && spansKeyspace(key, end) {
		return apihttp.Deniedf("role %s may not delete the whole keyspace (a range not under one key prefix, such as key= with prefix=true or from_key=true): needs admin", p.Role)
	}
	if len(p.KeyPrefixes) == 0 {
		return nil
	}
	for _, prefix := range p.KeyPrefixes {
		if rangeUnderPrefix(key, end, []byte(prefix)) {
			return nil
		}
	}
	if slices.Equal(p.KeyPrefixes, p.Token.KeyPrefixes) {
		return apihttp.Deniedf("key range is outside the token's key prefixes (%s)", strings.Join(p.KeyPrefixes, ", "))
	}
	return apihttp.Deniedf("key range is outside the key prefixes the Grafana org role is granted through token %s (%s)", p.Token.ID, strings.Join(p.KeyPrefixes, ", "))
}

// rangeUnderPrefix reports whether every key of [key, end) starts with prefix.
func rangeUnderPrefix(key, end, prefix []byte) bool {
	if !bytes.HasPrefix(key, prefix) {
		return false
	}
	if len(end) == 0 {
		return true
	}
	limit := []byte(clientv3.GetPrefixRangeEnd(string(prefix)))
	if bytes.Equal(limit, []byte{0}) {
		// The prefix is empty or all 0xff: it covers everything from key on.
		return true
	}
	if bytes.Equal(end, []byte{0}) {
		return false
	}
	return bytes.Compare(end, limit) <= 0
}

// spansKeyspace reports whether the range [key, end) reaches beyond the keys that share its
// first byte. That is the whole keyspace (an empty key with prefix=true, or "\x00" to "\x00"),
// and also every range that would delete nearly all of it without saying so, such as from_key
// (from any key not starting with 0xff) or "\x01" to "\xff". A single key (end empty) never
// spans it, nor does a range under a prefix of one byte or more, such as "/app/" or even "/".
func spansKeyspace(key, end []byte) bool {
	if len(end) == 0 {
		return false
	}
	if len(key) == 0 {
		return true
	}
	return !rangeUnderPrefix(key, end, key[:1])
}
