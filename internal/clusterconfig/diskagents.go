package clusterconfig

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// DefaultDiskAgentTimeout bounds one probe call to a disk agent when its entry sets none.
const DefaultDiskAgentTimeout = 10 * time.Minute

// DiskAgent is the diskprobe agent on the host of one etcd member (`etcd-monitor diskprobe
// serve`), which opsproxy's disk-test jobs ask for a probe. The exporter ignores it.
type DiskAgent struct {
	// Member is the etcd member's name; unique within the cluster.
	Member string `yaml:"member"`
	// URL is the agent's base URL (http or https, no credentials, no path).
	URL string `yaml:"url"`
	// TLS is the client side of TLS towards the agent (https URLs).
	TLS TLS `yaml:"tls,omitempty"`
	// Username is the basic auth user of the agent's --web.config.file.
	Username string `yaml:"username,omitempty"`
	// PasswordFile holds the basic auth password; it is read at each call, never held inline.
	PasswordFile string `yaml:"password_file,omitempty"`
	// Timeout bounds one probe call.
	Timeout model.Duration `yaml:"timeout,omitempty"`
}

// UnmarshalYAML applies the defaults and decodes strictly; the cluster validates the entry,
// so that the error carries the entry's index.
func (a *DiskAgent) UnmarshalYAML(unmarshal func(any) error) error {
	type plain DiskAgent
	*a = DiskAgent{Timeout: model.Duration(DefaultDiskAgentTimeout)}
	return unmarshal((*plain)(a))
}

// Auth names how opsproxy authenticates to the agent: "mtls" with a client certificate,
// else "basic" with a username, else "none".
func (a DiskAgent) Auth() string {
	switch {
	case a.TLS.CertFile != "":
		return "mtls"
	case a.Username != "":
		return "basic"
	}
	return "none"
}

// ReadPassword returns the password from password_file, read now (a rotated file is picked up
// by the next call). The error names the file, never its content.
func (a DiskAgent) ReadPassword() (string, error) {
	b, err := os.ReadFile(a.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("password_file: %w", unwrapPathError(err))
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// DiskAgent returns the agent configured for member.
func (c Cluster) DiskAgent(member string) (DiskAgent, bool) {
	for _, a := range c.DiskAgents {
		if a.Member == member {
			return a, true
		}
	}
	return DiskAgent{}, false
}

// validateDiskAgents checks the disk_agents list; errors name the entry by index
// (`disk_agents[1].url: must not be empty`).
func validateDiskAgents(agents []DiskAgent) error {
	seen := map[string]int{}
	for i, a := range agents {
		if err := a.validate(); err != nil {
			return fmt.Errorf("disk_agents[%d].%w", i, err)
		}
		if j, dup := seen[a.Member]; dup {
			return fmt.Errorf("disk_agents[%d].member: %q already has an agent in disk_agents[%d]", i, a.Member, j)
		}
		seen[a.Member] = i
	}
	return nil
}

// validate checks one entry; the error starts with the field's name.
func (a DiskAgent) validate() error {
	if strings.TrimSpace(a.Member) == "" {
		return errors.New("member: must not be empty")
	}
	if err := validateAgentURL(a.URL); err != nil {
		return fmt.Errorf("url: %w", err)
	}
	if (a.TLS.CertFile == "") != (a.TLS.KeyFile == "") {
		return errors.New("tls: cert_file and key_file must be set together")
	}
	if a.TLS.Enabled() && strings.HasPrefix(a.URL, "http://") {
		return errors.New("tls: set for an http URL: use https")
	}
	for _, f := range []struct{ field, path string }{
		{"tls.ca_file", a.TLS.CAFile}, {"tls.cert_file", a.TLS.CertFile}, {"tls.key_file", a.TLS.KeyFile},
		{"password_file", a.PasswordFile},
	} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("%s: %w", f.field, unwrapPathError(err))
		}
	}
	if a.TLS.Enabled() {
		if _, err := a.TLS.Config(); err != nil {
			return fmt.Errorf("tls: %w", err)
		}
	}
	switch {
	case a.Username != "" && a.PasswordFile == "":
		return errors.New("password_file: must be set when username is (the password is never inline)")
	case a.Username == "" && a.PasswordFile != "":
		return errors.New("username: must be set when password_file is")
	}
	if a.Timeout <= 0 {
		return errors.New("timeout: must be greater than 0")
	}
	return nil
}

// validateAgentURL accepts http(s)://host[:port] with no credentials, path, query or fragment.
func validateAgentURL(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return errors.New("must not be empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the URL, which may hold credentials: keep its reason only.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("not a URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("scheme %q: must be http or https", u.Scheme)
	case u.User != nil:
		return errors.New("credentials in the URL are not allowed: use username and password_file")
	case u.Path != "" && u.Path != "/":
		return fmt.Errorf("path %q: an agent's URL has no path", u.Path)
	case u.RawQuery != "" || u.Fragment != "":
		return errors.New("an agent's URL has no query or fragment")
	case u.Hostname() == "":
		return fmt.Errorf("%q: want http(s)://host:port", raw)
	}
	if p := u.Port(); p != "" {
		if _, err := net.LookupPort("tcp", p); err != nil {
			return fmt.Errorf("port %q: %w", p, err)
		}
	}
	return nil
}
