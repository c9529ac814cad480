package composetest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// stage is one FROM of the Dockerfile and the instructions under it.
type stage struct {
	name, image string
	nodes       []*parser.Node
}

type dockerfile struct {
	args   map[string]string // ARGs before the first FROM, with their defaults
	stages []stage
}

func parseDockerfile(t *testing.T) dockerfile {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("Dockerfile does not parse: %v", err)
	}
	for _, w := range res.Warnings {
		t.Errorf("Dockerfile: %s", w.Short)
	}
	d := dockerfile{args: map[string]string{}}
	for _, n := range res.AST.Children {
		n.Value = strings.ToLower(n.Value) // the parser keeps the instruction as written
		switch {
		case n.Value == "from":
			st := stage{image: n.Next.Value}
			if as := n.Next.Next; as != nil && strings.EqualFold(as.Value, "as") && as.Next != nil {
				st.name = as.Next.Value
			}
			d.stages = append(d.stages, st)
		case len(d.stages) == 0 && n.Value == "arg":
			name, def, _ := strings.Cut(n.Next.Value, "=")
			d.args[name] = def
		case len(d.stages) == 0:
			t.Fatalf("Dockerfile line %d: %s before the first FROM", n.StartLine, n.Value)
		default:
			d.stages[len(d.stages)-1].nodes = append(d.stages[len(d.stages)-1].nodes, n)
		}
	}
	return d
}

func (d dockerfile) stage(t *testing.T, name string) stage {
	t.Helper()
	for _, s := range d.stages {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("Dockerfile has no stage %q", name)
	return stage{}
}

// words returns the arguments of an instruction node.
func words(n *parser.Node) []string {
	var out []string
	for a := n.Next; a != nil; a = a.Next {
		out = append(out, a.Value)
	}
	return out
}

// instr returns the stage's instructions of one kind (lower-case: "run", "env", ...).
func (s stage) instr(kind string) []*parser.Node {
	var out []*parser.Node
	for _, n := range s.nodes {
		if n.Value == kind {
			out = append(out, n)
		}
	}
	return out
}

// env returns the stage's ENV settings. The parser gives each as three nodes: name, value and
// the separator ("=", or "" for the legacy `ENV name value`).
func (s stage) env() map[string]string {
	m := map[string]string{}
	for _, n := range s.instr("env") {
		w := words(n)
		for i := 0; i+1 < len(w); i += 3 {
			m[w[i]] = w[i+1]
		}
	}
	return m
}

func readFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDockerfileBuildsWithTheGoVersionOfGoMod(t *testing.T) {
	d := parseDockerfile(t)
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(readFile(t, "go.mod"))
	if goVersion == nil {
		t.Fatal("go.mod has no go line")
	}
	if got := d.args["GO_VERSION"]; got != goVersion[1] {
		t.Errorf("ARG GO_VERSION=%q, go.mod says go %s", got, goVersion[1])
	}
	build := d.stage(t, "build")
	if !strings.HasPrefix(build.image, "golang:${GO_VERSION}") {
		t.Errorf("build stage FROM %s, want golang:${GO_VERSION}…", build.image)
	}
	if build.env()["CGO_ENABLED"] != "0" {
		t.Errorf("build stage: CGO_ENABLED=%q, want 0 (a static binary for distroless/static)", build.env()["CGO_ENABLED"])
	}
}

func TestDockerfileStampsTheVersionAsMakeBuild(t *testing.T) {
	d := parseDockerfile(t)
	// The Makefile's LDFLAGS: -X <package>.<Var>=$(MAKEVAR), continued over lines.
	mk := strings.ReplaceAll(readFile(t, "Makefile"), "\\\n", " ")
	ldLine := regexp.MustCompile(`(?m)^LDFLAGS\s*:=(.*)$`).FindStringSubmatch(mk)
	if ldLine == nil {
		t.Fatal("Makefile has no LDFLAGS")
	}
	xs := regexp.MustCompile(`-X (\S+)=\$\((\w+)\)`).FindAllStringSubmatch(ldLine[1], -1)
	if len(xs) < 3 {
		t.Fatalf("Makefile LDFLAGS %q: want the three version -X flags", ldLine[1])
	}
	build := d.stage(t, "build")
	var declared []string
	for _, n := range build.instr("arg") {
		name, _, _ := strings.Cut(n.Next.Value, "=")
		declared = append(declared, name)
	}
	var goBuilds []string
	for _, n := range build.instr("run") {
		if cmd := strings.Join(words(n), " "); strings.Contains(cmd, "go build") {
			goBuilds = append(goBuilds, cmd)
		}
	}
	if len(goBuilds) == 0 {
		t.Fatal("build stage runs no go build")
	}
	for _, x := range xs {
		want := "-X " + x[1] + "=${" + x[2] + "}"
		for _, cmd := range goBuilds {
			if !strings.Contains(cmd, want) {
				t.Errorf("go build in the build stage lacks %q (the Makefile's -X %s=$(%s))", want, x[1], x[2])
			}
		}
		if !slices.Contains(declared, x[2]) {
			t.Errorf("build stage has no ARG %s", x[2])
		}
	}
	for _, cmd := range goBuilds {
		if !strings.Contains(cmd, "./cmd/etcd-monitor") {
			t.Errorf("go build %q does not build ./cmd/etcd-monitor", cmd)
		}
	}
	// docker-compose.yml passes the same build arguments to every image it builds.
	p := loadProject(t)
	for name, s := range p.Services {
		if s.Build == nil {
			continue
		}
		for _, x := range xs {
			if _, ok := s.Build.Args[x[2]]; !ok {
				t.Errorf("service %s: build.args lacks %s", name, x[2])
			}
		}
	}
}

func TestDockerfileFinalImageIsStaticNonRootWithHealthCheck(t *testing.T) {
	d := parseDockerfile(t)
	last := d.stages[len(d.stages)-1]
	if last.name != "etcd-monitor" {
		t.Errorf("the last (default) stage is %q, want etcd-monitor", last.name)
	}
	if !strings.HasPrefix(last.image, "gcr.io/distroless/static") && last.image != "scratch" {
		t.Errorf("final stage FROM %s, want distroless/static or scratch", last.image)
	}
	users := last.instr("user")
	if len(users) == 0 {
		t.Fatal("final stage has no USER")
	}
	user, _, _ := strings.Cut(words(users[len(users)-1])[0], ":")
	if user == "" || user == "root" || user == "0" {
		t.Errorf("final stage USER %q: want a non-root user", user)
	}
	hc := last.instr("healthcheck")
	if len(hc) != 1 {
		t.Fatalf("final stage has %d HEALTHCHECKs, want 1", len(hc))
	}
	w := words(hc[0])
	if len(w) < 3 || w[0] != "CMD" || w[1] != "/usr/local/bin/etcd-monitor" || w[2] != "healthcheck" {
		t.Fatalf("HEALTHCHECK %v: want CMD [\"/usr/local/bin/etcd-monitor\", \"healthcheck\", URL]", w)
	}
	ep := last.instr("entrypoint")
	if len(ep) != 1 || words(ep[0])[0] != "/usr/local/bin/etcd-monitor" {
		t.Errorf("final stage ENTRYPOINT: want [\"/usr/local/bin/etcd-monitor\"]")
	}

	// The subcommand the HEALTHCHECK runs exists and works: a built binary against a real server.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("Healthy\n"))
	}))
	defer srv.Close()
	bin := binary(t)
	if out, err := exec.Command(bin, "healthcheck", srv.URL+"/-/healthy").CombinedOutput(); err != nil {
		t.Errorf("etcd-monitor healthcheck %s: %v\n%s", srv.URL, err, out)
	}
	srv.Close()
	if err := exec.Command(bin, "healthcheck", srv.URL+"/-/healthy").Run(); err == nil {
		t.Error("etcd-monitor healthcheck of a closed server exited 0")
	}
}

func TestDockerfileStagesAreTheOnesComposeBuilds(t *testing.T) {
	d := parseDockerfile(t)
	p := loadProject(t)
	for name, s := range p.Services {
		if s.Build == nil {
			continue
		}
		d.stage(t, s.Build.Target)
		if s.Build.Context != root || (s.Build.Dockerfile != "Dockerfile" && s.Build.Dockerfile != filepath.Join(root, "Dockerfile")) {
			t.Errorf("service %s builds %s in %s, want the repository's Dockerfile", name, s.Build.Dockerfile, s.Build.Context)
		}
		if _, ours := ourServices[name]; ours && s.Build.Target != "etcd-monitor" {
			t.Errorf("service %s builds target %s, want etcd-monitor", name, s.Build.Target)
		}
	}
}

func TestDockerfileBuildsTheConsoleAndTheGrafanaApp(t *testing.T) {
	d := parseDockerfile(t)
	web := d.stage(t, "web")
	var runs string
	for _, n := range web.instr("run") {
		runs += strings.Join(words(n), " ") + "\n"
	}
	for _, want := range []string{"npm ci", "npm run --silent build ", "npm run --silent build:console"} {
		if !strings.Contains(runs+" ", want) {
			t.Errorf("web stage does not run %q", want)
		}
	}
	if nvmrc := strings.TrimSpace(readFile(t, "grafana-app/.nvmrc")); !strings.HasPrefix(d.args["NODE_VERSION"], nvmrc+".") {
		t.Errorf("ARG NODE_VERSION=%s, grafana-app/.nvmrc says %s", d.args["NODE_VERSION"], nvmrc)
	}
	// The build stage embeds the console the web stage built.
	var copied bool
	for _, n := range d.stage(t, "build").instr("copy") {
		if slices.Contains(n.Flags, "--from=web") && strings.Contains(strings.Join(words(n), " "), "opsproxy/internal/ui/dist") {
			copied = true
		}
	}
	if !copied {
		t.Error("build stage does not copy the web stage's console into opsproxy/internal/ui/dist")
	}

	// Grafana: the version the app is built against, the app in the plugins path under its id.
	grafanaData := regexp.MustCompile(`"@grafana/data":\s*"([^"]+)"`).FindStringSubmatch(readFile(t, "grafana-app/package.json"))
	if grafanaData == nil || d.args["GRAFANA_VERSION"] != grafanaData[1] || !strings.HasPrefix(grafanaData[1], "13.1.") {
		t.Errorf("ARG GRAFANA_VERSION=%s, want grafana-app's @grafana/data version %v (13.1.x)", d.args["GRAFANA_VERSION"], grafanaData)
	}
	g := d.stage(t, "grafana")
	if g.image != "grafana/grafana:${GRAFANA_VERSION}" {
		t.Errorf("grafana stage FROM %s, want grafana/grafana:${GRAFANA_VERSION}", g.image)
	}
	id := pluginID(t)
	dir := g.env()["GF_PATHS_PLUGINS"] + "/" + id + "/"
	var fromWeb, fromBuild bool
	for _, n := range g.instr("copy") {
		w := words(n)
		if w[len(w)-1] == "/opt/etcd-monitor/bin/etcd-monitor" {
			continue // the health check's binary
		}
		if w[len(w)-1] != dir {
			t.Errorf("grafana stage copies to %s, want %s", w[len(w)-1], dir)
		}
		fromWeb = fromWeb || slices.Contains(n.Flags, "--from=web")
		fromBuild = fromBuild || slices.Contains(n.Flags, "--from=build")
	}
	if !fromWeb || !fromBuild {
		t.Error("grafana stage must copy the app's frontend (web) and backend (build)")
	}
	// Grafana's health check runs our static binary, whatever Grafana's base image has.
	hc := g.instr("healthcheck")
	if len(hc) != 1 || strings.Join(words(hc[0])[:3], " ") != "CMD /opt/etcd-monitor/bin/etcd-monitor healthcheck" {
		t.Error("grafana stage: want HEALTHCHECK CMD [\"/opt/etcd-monitor/bin/etcd-monitor\", \"healthcheck\", …]")
	}
	if gs := service(t, loadProject(t), "grafana"); gs.HealthCheck == nil || len(gs.HealthCheck.Test) < 2 || gs.HealthCheck.Test[1] != "/opt/etcd-monitor/bin/etcd-monitor" {
		t.Error("docker-compose.yml: grafana's health check should run the binary the grafana stage copies")
	}
	if !slices.Contains(strings.Split(g.env()["GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS"], ","), id) {
		t.Errorf("grafana stage does not allow the unsigned app %s", id)
	}
	var buildsBackend bool
	for _, n := range d.stage(t, "build").instr("run") {
		if cmd := strings.Join(words(n), " "); strings.Contains(cmd, "/out/plugin/gpx_etcd_${TARGETOS}_${TARGETARCH} ./grafana-app/pkg") {
			buildsBackend = true
		}
	}
	if !buildsBackend {
		t.Error("build stage does not build the app's backend as gpx_etcd_<os>_<arch> (plugin.json's executable)")
	}
}

func TestDockerignoreKeepsSecretsAndBuiltFilesOut(t *testing.T) {
	lines := strings.Split(readFile(t, ".dockerignore"), "\n")
	for _, want := range []string{".git", "**/node_modules/", "deploy/compose/secrets/", "grafana-app/dist/", "bin/"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".dockerignore lacks %q", want)
		}
	}
	// Nothing the Dockerfile copies by name is ignored.
	for _, copied := range []string{"go.mod", "go.sum", "grafana-app/package.json", "grafana-app/package-lock.json", "dashboards/json/"} {
		for _, l := range lines {
			if l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "!") && strings.HasPrefix(copied, strings.TrimSuffix(l, "/")) {
				t.Errorf(".dockerignore %q leaves out %s, which the Dockerfile copies", l, copied)
			}
		}
	}
}
