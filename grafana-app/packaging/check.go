package packaging

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
)

// Platforms are the os_arch pairs of the backend executables a release carries.
var Platforms = []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64", "windows_amd64"}

// pluginJSON is the part of plugin.json the checks read.
type pluginJSON struct {
	Type       string `json:"type"`
	Name       string `json:"name"`
	ID         string `json:"id"`
	Backend    bool   `json:"backend"`
	Executable string `json:"executable"`
	Info       struct {
		Author struct {
			Name string `json:"name"`
		} `json:"author"`
		Logos struct {
			Small string `json:"small"`
			Large string `json:"large"`
		} `json:"logos"`
		Screenshots []struct {
			Path string `json:"path"`
		} `json:"screenshots"`
		Version string `json:"version"`
		Updated string `json:"updated"`
	} `json:"info"`
	Includes []struct {
		Type string `json:"type"`
		Name string `json:"name"`
		Path string `json:"path"`
	} `json:"includes"`
	Dependencies struct {
		GrafanaDependency string `json:"grafanaDependency"`
	} `json:"dependencies"`
}

var (
	pluginIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*-app$`)
	semverPattern   = regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	datePattern     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// Want is what a package is checked against.
type Want struct {
	// ID is the plugin id, the zip's top folder.
	ID string
	// Version is package.json's version.
	Version string
	// Platforms are the os_arch pairs whose executables must be present.
	Platforms []string
}

// CheckZip checks the zip at path; each problem is one error.
func CheckZip(path string, want Want) []error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return []error{fmt.Errorf("open %s: %w", path, err)}
	}
	defer zr.Close()
	var errs []error
	for _, f := range zr.File {
		top, _, _ := strings.Cut(f.Name, "/")
		if top != want.ID || !strings.Contains(f.Name, "/") {
			errs = append(errs, fmt.Errorf("zip entry %s: not under the top folder %s/", f.Name, want.ID))
		}
	}
	sub, err := fs.Sub(zr, want.ID)
	if err != nil {
		return append(errs, err)
	}
	return append(errs, Check(sub, want)...)
}

// Check checks a plugin folder (dist/, or the zip's top folder).
func Check(dist fs.FS, want Want) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	raw, err := fs.ReadFile(dist, "plugin.json")
	if err != nil {
		return []error{fmt.Errorf("plugin.json: %w", err)}
	}
	var p pluginJSON
	if err := json.Unmarshal(raw, &p); err != nil {
		return []error{fmt.Errorf("plugin.json: %w", err)}
	}
	if p.Type != "app" {
		fail("plugin.json type %q, want app", p.Type)
	}
	if p.ID != want.ID {
		fail("plugin.json id %q, want %q", p.ID, want.ID)
	}
	if !pluginIDPattern.MatchString(p.ID) {
		fail("plugin.json id %q is not of the form <org>-<name>-app", p.ID)
	}
	if p.Name == "" {
		fail("plugin.json: name is empty")
	}
	if p.Info.Author.Name == "" {
		fail("plugin.json: info.author.name is empty")
	}
	if p.Info.Version != want.Version {
		fail("plugin.json info.version %q, want package.json's %q", p.Info.Version, want.Version)
	}
	if !semverPattern.MatchString(p.Info.Version) {
		fail("plugin.json info.version %q is not a semantic version", p.Info.Version)
	}
	if !datePattern.MatchString(p.Info.Updated) {
		fail("plugin.json info.updated %q is not a date (was %%TODAY%% replaced?)", p.Info.Updated)
	}
	if p.Dependencies.GrafanaDependency == "" {
		fail("plugin.json: dependencies.grafanaDependency is empty")
	}
	if strings.Contains(string(raw), "%VERSION%") || strings.Contains(string(raw), "%PLUGIN_ID%") || strings.Contains(string(raw), "%TODAY%") {
		fail("plugin.json still holds a %%…%% placeholder")
	}
	for _, logo := range []struct{ name, path string }{{"small", p.Info.Logos.Small}, {"large", p.Info.Logos.Large}} {
		if logo.path == "" {
			fail("plugin.json: info.logos.%s is empty", logo.name)
		} else if !exists(dist, logo.path) {
			fail("plugin.json info.logos.%s %s: not in the package", logo.name, logo.path)
		}
	}
	for _, s := range p.Info.Screenshots {
		if !exists(dist, s.Path) {
			fail("plugin.json screenshot %s: not in the package", s.Path)
		}
	}
	dashboardUIDs := map[string]string{}
	for _, inc := range p.Includes {
		switch inc.Type {
		case "page":
			if !strings.HasPrefix(inc.Path, "/a/"+p.ID+"/") && inc.Path != "/plugins/"+p.ID {
				fail("plugin.json include %q: page path %q is neither under /a/%s/ nor /plugins/%s", inc.Name, inc.Path, p.ID, p.ID)
			}
		case "dashboard":
			uid, err := dashboardUID(dist, inc.Path)
			switch {
			case err != nil:
				fail("plugin.json include %q: dashboard %s: %v", inc.Name, inc.Path, err)
			case dashboardUIDs[uid] != "":
				fail("plugin.json include %q: dashboard %s has the uid %q of %s", inc.Name, inc.Path, uid, dashboardUIDs[uid])
			default:
				dashboardUIDs[uid] = inc.Path
			}
		}
	}
	for _, f := range []string{"module.js", "README.md", "CHANGELOG.md", "LICENSE"} {
		if !exists(dist, f) {
			fail("%s: not in the package", f)
		}
	}
	if p.Backend {
		if p.Executable == "" {
			fail("plugin.json: backend is true and executable is empty")
		}
		for _, pl := range want.Platforms {
			name := p.Executable + "_" + pl
			if strings.HasPrefix(pl, "windows_") {
				name += ".exe"
			}
			st, err := fs.Stat(dist, name)
			switch {
			case err != nil:
				fail("backend executable %s: not in the package", name)
			case st.Mode().Perm()&0o111 == 0:
				fail("backend executable %s: no exec bit (mode %v)", name, st.Mode())
			case st.Size() == 0:
				fail("backend executable %s: empty", name)
			}
		}
	}
	return errs
}

// dashboardUID reads the dashboard an include names: a path inside the package, to a JSON
// object with a uid (Grafana installs it under that uid when the app is enabled).
func dashboardUID(dist fs.FS, name string) (string, error) {
	clean := strings.TrimPrefix(name, "./")
	if !fs.ValidPath(clean) {
		return "", errors.New("not a path inside the package")
	}
	raw, err := fs.ReadFile(dist, clean)
	if err != nil {
		return "", errors.New("not in the package")
	}
	var d struct {
		UID   any    `json:"uid"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return "", fmt.Errorf("not a JSON dashboard: %w", err)
	}
	uid, _ := d.UID.(string)
	if uid == "" {
		return "", errors.New("no uid")
	}
	return uid, nil
}

func exists(dist fs.FS, name string) bool {
	_, err := fs.Stat(dist, strings.TrimPrefix(name, "./"))
	return err == nil
}

// PackageVersion reads the version of a package.json.
func PackageVersion(r io.Reader) (string, error) {
	var pkg struct {
		Version string `json:"version"`
	}
	if err := json.NewDecoder(r).Decode(&pkg); err != nil {
		return "", fmt.Errorf("package.json: %w", err)
	}
	if pkg.Version == "" {
		return "", errors.New("package.json: no version")
	}
	return pkg.Version, nil
}
