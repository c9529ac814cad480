package core

import (
	"strconv"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// grafanaRoles maps Grafana org roles onto ours: the default grants.
var grafanaRoles = map[string]Role{"Viewer": RoleViewer, "Editor": RoleEditor, "Admin": RoleAdmin}

// grafanaGrant is what a Grafana user of org role orgRole gets through service token tok: the
// role and write prefixes of the token's entry in auth.grafana.service_tokens, or the default
// (the org role's namesake, under the token's prefixes) — never more than the token: the lower
// role, and only grant prefixes that lie within the token's. A token with an entry serves only
// its org (orgID, the org header's value).
//
// It returns the effective role and prefixes, or a refusal naming what is wrong.
func grafanaGrant(g config.GrafanaConfig, tok store.Token, tokenRole Role, orgRole, orgID string) (Role, []string, error) {
	mapped, ok := grafanaRoles[orgRole]
	if !ok {
		if len(orgRole) > 16 {
			return RoleNone, nil, apihttp.Deniedf("Grafana role has no access: want Viewer, Editor or Admin")
		}
		return RoleNone, nil, apihttp.Deniedf("Grafana role %q has no access: want Viewer, Editor or Admin", orgRole)
	}
	prefixes := tok.KeyPrefixes
	entry, configured := g.ServiceToken(tok.ID)
	if configured {
		if orgID != strconv.FormatInt(entry.OrgID, 10) {
			if len(orgID) > 20 {
				orgID = orgID[:20] + "…"
			}
			return RoleNone, nil, apihttp.Deniedf("token %s serves Grafana org %d, not org %q (%s)", tok.ID, entry.OrgID, orgID, g.OrgHeader)
		}
		if grant, ok := entry.Roles[orgRole]; ok {
			mapped = RoleNone
			if grant.Role != "none" {
				mapped, _ = ParseRole(grant.Role) // validated with the configuration
			}
			if mapped == RoleNone {
				return RoleNone, nil, apihttp.Deniedf("Grafana role %s has no access through token %s (auth.grafana.service_tokens)", orgRole, tok.ID)
			}
			if len(grant.KeyPrefixes) > 0 {
				prefixes = narrowPrefixes(tok.KeyPrefixes, grant.KeyPrefixes)
				if len(prefixes) == 0 && mapped > RoleViewer {
					// None of the granted prefixes lies within the token's: nothing may be written.
					mapped = RoleViewer
				}
			}
		}
	}
	return min(tokenRole, mapped), prefixes, nil
}

// narrowPrefixes returns the granted prefixes that lie within the token's (all of them when
// the token has none).
func narrowPrefixes(token, granted []string) []string {
	if len(token) == 0 {
		return granted
	}
	var out []string
	for _, g := range granted {
		for _, t := range token {
			if strings.HasPrefix(g, t) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}
