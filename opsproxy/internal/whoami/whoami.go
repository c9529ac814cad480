package whoami

import "github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"

// Answer is the principal as opsproxy sees it. It never carries the token's secret or its hash.
type Answer struct {
	// User is the end user recorded in the audit log: the token's name, or the Grafana user a
	// service token acts for.
	User    string `json:"user"`
	TokenID string `json:"token_id"`
	// Role is the effective role: the lower of the token's and the Grafana user's when the
	// token acts for a user.
	Role string `json:"role"`
	// Clusters is the token's scope, KeyPrefixes the key prefixes writes are limited to (a
	// Grafana user's may be fewer than its service token's); empty means all.
	Clusters     []string `json:"clusters"`
	KeyPrefixes  []string `json:"key_prefixes"`
	ActsForUsers bool     `json:"acts_for_users"`
}

// whoami answers the request's principal.
func whoami(c *core.Call) (any, error) {
	p := c.P
	return Answer{
		User:         p.User,
		TokenID:      p.Token.ID,
		Role:         p.Role.String(),
		Clusters:     nonNil(p.Token.Clusters),
		KeyPrefixes:  nonNil(p.KeyPrefixes),
		ActsForUsers: p.Token.ActsForUsers,
	}, nil
}

// nonNil makes an empty scope an empty JSON array rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
