package agent

import (
	"fmt"
	"net/http"
	"os"
	"slices"

	"github.com/prometheus/exporter-toolkit/web"
	"go.yaml.in/yaml/v2"
)

// webAuth is what the web config (--web.config.file) authenticates, read as exporter-toolkit
// reads it, on every request (the file may change while the agent runs).
type webAuth struct {
	basicUsers map[string]bool
	// verifiesCerts is set when the TLS server requires or verifies client certificates.
	verifiesCerts bool
}

func readWebAuth(path string) (webAuth, error) {
	if path == "" {
		return webAuth{}, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return webAuth{}, fmt.Errorf("web config: %w", err)
	}
	var c web.Config
	if err := yaml.Unmarshal(raw, &c); err != nil {
		return webAuth{}, fmt.Errorf("web config %s: %w", path, err)
	}
	wa := webAuth{basicUsers: map[string]bool{}}
	for u := range c.Users {
		wa.basicUsers[u] = true
	}
	switch c.TLSConfig.ClientAuth {
	case "RequireAndVerifyClientCert", "VerifyClientCertIfGiven":
		wa.verifiesCerts = true
	}
	return wa, nil
}

// checkProbeUsers refuses probe users the web config cannot authenticate: a name must be a
// basic auth user, or the web config must verify client certificates (whose common name is then
// the name).
func checkProbeUsers(users []string, webConfig string) error {
	if len(users) == 0 {
		return nil
	}
	if webConfig == "" {
		return fmt.Errorf("probe users: need a web config file (--web.config.file) with basic_auth_users or verified client certificates to tell who calls")
	}
	wa, err := readWebAuth(webConfig)
	if err != nil {
		return fmt.Errorf("probe users: %w", err)
	}
	for _, u := range users {
		if !wa.basicUsers[u] && !wa.verifiesCerts {
			return fmt.Errorf("probe users: %q is not a basic_auth_users entry of %s, and it does not verify client certificates", u, webConfig)
		}
	}
	return nil
}

// caller returns the identities the web config authenticated for r: the basic auth user (only
// when the web config has basic auth users, so that exporter-toolkit checked the password) and
// the common name of a verified client certificate.
func caller(r *http.Request, wa webAuth) []string {
	var ids []string
	if u, _, ok := r.BasicAuth(); ok && wa.basicUsers[u] {
		ids = append(ids, u)
	}
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 && len(r.TLS.VerifiedChains[0]) > 0 {
		ids = append(ids, r.TLS.VerifiedChains[0][0].Subject.CommonName)
	}
	return ids
}

// mayProbe reports whether r may start a probe, and who it is for the refusal's message.
func (a *Agent) mayProbe(r *http.Request) (bool, string, error) {
	if len(a.cfg.ProbeUsers) == 0 {
		return true, "", nil
	}
	wa, err := readWebAuth(a.cfg.WebConfigFile)
	if err != nil {
		return false, "", err
	}
	ids := caller(r, wa)
	for _, id := range ids {
		if slices.Contains(a.cfg.ProbeUsers, id) {
			return true, id, nil
		}
	}
	if len(ids) == 0 {
		return false, "an unauthenticated caller", nil
	}
	return false, fmt.Sprintf("%q", ids[0]), nil
}
