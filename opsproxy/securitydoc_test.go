package opsproxy

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The route table of docs/security.md lies between these markers.
const (
	routeTableBegin = "<!-- routes:begin (generated from opsproxy's route table by TestSecurityDocListsEveryRouteWithItsRole; ETCD_MONITOR_UPDATE_DOCS=1 rewrites it) -->\n"
	routeTableEnd   = "<!-- routes:end -->\n"
)

// routeTable renders who may call each route, from the routes as registered.
func routeTable(routes []Route) string {
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].Path != routes[j].Path {
			return routes[i].Path < routes[j].Path
		}
		return routes[i].Method < routes[j].Method
	})
	var b strings.Builder
	b.WriteString("| method | path | operation (audit) | least role | mutating |\n|---|---|---|---|---|\n")
	for _, r := range routes {
		role, mutating := r.Role.String(), ""
		switch {
		case r.Public:
			role = "none: no token, not audited"
		case r.Resolved:
			role += ", then per command ([console.md](console.md))"
		}
		if r.Mutating {
			mutating = "yes"
		}
		fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s | %s |\n", r.Method, r.Path, r.Operation, role, mutating)
	}
	return b.String()
}

// docs/security.md lists every route with the least role that may call it, as registered:
// adding a route or changing its role without the table fails here.
func TestSecurityDocListsEveryRouteWithItsRole(t *testing.T) {
	e := newEnv(t, envOptions{})
	want := routeTable(e.srv.Routes())
	path := filepath.Join("..", "docs", "security.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	begin, end := strings.Index(doc, routeTableBegin), strings.Index(doc, routeTableEnd)
	if begin < 0 || end < begin {
		t.Fatalf("%s has no route table between %q and %q", path, routeTableBegin, routeTableEnd)
	}
	got := doc[begin+len(routeTableBegin) : end]
	if got == want {
		return
	}
	if os.Getenv("ETCD_MONITOR_UPDATE_DOCS") == "1" {
		doc = doc[:begin+len(routeTableBegin)] + want + doc[end:]
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the route table of %s", path)
		return
	}
	t.Errorf("the route table of %s is out of date (ETCD_MONITOR_UPDATE_DOCS=1 go test -run %s ./opsproxy/ rewrites it); want:\n%s", path, t.Name(), want)
}
