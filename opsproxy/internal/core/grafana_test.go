package core

import (
	"slices"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// A Grafana user never gets more than the service token: the lower role, and only granted key
// prefixes within the token's; a token with an entry serves only its own org.
func TestGrafanaGrantIsNeverMoreThanTheToken(t *testing.T) {
	g := config.GrafanaConfig{OrgHeader: config.DefaultOrgHeader, ServiceTokens: []config.GrafanaServiceToken{
		{TokenID: "mapped", OrgID: 2, Roles: map[string]config.GrafanaRoleGrant{
			"Viewer": {Role: "none"},
			"Editor": {Role: "editor", KeyPrefixes: []string{"/app/team-a/", "/other/"}},
			"Admin":  {Role: "admin", KeyPrefixes: []string{"/elsewhere/"}},
		}},
	}}
	unmapped := store.Token{ID: "plain", KeyPrefixes: []string{"/app/"}}
	mapped := store.Token{ID: "mapped", KeyPrefixes: []string{"/app/"}}
	cases := []struct {
		name         string
		tok          store.Token
		tokenRole    Role
		orgRole, org string
		role         Role
		prefixes     []string
		refused      string
	}{
		{"default Viewer", unmapped, RoleAdmin, "Viewer", "9", RoleViewer, []string{"/app/"}, ""},
		{"default Editor keeps the token's prefixes", unmapped, RoleAdmin, "Editor", "", RoleEditor, []string{"/app/"}, ""},
		{"default Admin through an editor token is an editor", unmapped, RoleEditor, "Admin", "", RoleEditor, []string{"/app/"}, ""},
		{"org role None", unmapped, RoleAdmin, "None", "", RoleNone, nil, `Grafana role "None" has no access`},
		{"a long unknown org role is not echoed", unmapped, RoleAdmin, strings.Repeat("x", 40), "", RoleNone, nil, "Grafana role has no access"},
		{"mapped token, wrong org", mapped, RoleAdmin, "Editor", "3", RoleNone, nil, "token mapped serves Grafana org 2, not org \"3\" (X-Grafana-Org-Id)"},
		{"mapped token, no org", mapped, RoleAdmin, "Editor", "", RoleNone, nil, "serves Grafana org 2"},
		{"mapped Viewer granted none", mapped, RoleAdmin, "Viewer", "2", RoleNone, nil, "Grafana role Viewer has no access through token mapped"},
		{"mapped Editor narrowed to the grant within the token", mapped, RoleAdmin, "Editor", "2", RoleEditor, []string{"/app/team-a/"}, ""},
		{"mapped Admin granted prefixes outside the token writes nothing", mapped, RoleAdmin, "Admin", "2", RoleViewer, nil, ""},
		{"mapped Editor through a viewer token is a viewer", mapped, RoleViewer, "Editor", "2", RoleViewer, []string{"/app/team-a/"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			role, prefixes, err := grafanaGrant(g, c.tok, c.tokenRole, c.orgRole, c.org)
			if c.refused != "" {
				if err == nil || !strings.Contains(err.Error(), c.refused) {
					t.Fatalf("err %v, want a refusal containing %q", err, c.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if role != c.role || !slices.Equal(prefixes, c.prefixes) {
				t.Fatalf("got %s %v, want %s %v", role, prefixes, c.role, c.prefixes)
			}
		})
	}
}
