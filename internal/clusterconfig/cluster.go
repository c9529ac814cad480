package clusterconfig

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
)

// Defaults applied to every cluster entry.
const (
	DefaultDialTimeout    = 5 * time.Second
	DefaultRequestTimeout = 5 * time.Second
)

// Cluster is how to reach one etcd cluster.
type Cluster struct {
	// Name identifies the cluster in metrics (label `cluster`), URLs (`/probe?target=`) and APIs.
	Name string `yaml:"name"`
	// Endpoints are the client URLs of the members, e.g. https://10.0.0.1:2379.
	Endpoints []string `yaml:"endpoints"`
	// TLS dials the endpoints with TLS when any of its settings is made.
	TLS TLS `yaml:"tls,omitempty"`
	// Username is the etcd user, when etcd's authentication is on; it needs a password.
	Username string `yaml:"username,omitempty"`
	// Password is accepted inline for completeness but should come from PasswordFile or PasswordEnv.
	Password config.Secret `yaml:"password,omitempty"`
	// PasswordFile holds the password (trailing newline removed); it is read again at each
	// reload, so a rotated file takes effect then.
	PasswordFile string `yaml:"password_file,omitempty"`
	// PasswordEnv names the environment variable holding the password.
	PasswordEnv string `yaml:"password_env,omitempty"`
	// DialTimeout bounds the connection to a member.
	DialTimeout model.Duration `yaml:"dial_timeout,omitempty"`
	// RequestTimeout bounds each request to a member.
	RequestTimeout model.Duration `yaml:"request_timeout,omitempty"`
	// Protected marks a cluster that load must not reach by accident (production): opsproxy
	// refuses benchmark jobs on it unless the admin who asks passes force. The exporter
	// ignores it.
	Protected Protection `yaml:"protected,omitempty"`
	// DiskAgents are the diskprobe agents on the members' hosts, which opsproxy's disk-test
	// jobs call. The exporter ignores them.
	DiskAgents []DiskAgent `yaml:"disk_agents,omitempty"`
}

// errProtection is the error of a protected flag that is not a boolean; the list prefixes it
// with the entry's index.
var errProtection = errors.New("protected: want true or false")

// Protection is a cluster's protected flag; it exists to name the field when its value is
// not a boolean.
type Protection bool

// UnmarshalYAML accepts a YAML boolean only.
func (p *Protection) UnmarshalYAML(unmarshal func(any) error) error {
	var b bool
	if err := unmarshal(&b); err != nil {
		return errProtection
	}
	*p = Protection(b)
	return nil
}

// TLS is the client side of TLS towards the cluster's members.
type TLS struct {
	// CAFile holds the CA certificates the server certificates must chain to (default: the
	// system's).
	CAFile string `yaml:"ca_file,omitempty"`
	// CertFile is the client certificate (PEM), set together with KeyFile.
	CertFile string `yaml:"cert_file,omitempty"`
	// KeyFile is the client certificate's private key (PEM).
	KeyFile string `yaml:"key_file,omitempty"`
	// ServerName is the name the server certificate must be valid for (default: each
	// endpoint's host).
	ServerName string `yaml:"server_name,omitempty"`
	// InsecureSkipVerify accepts any server certificate; for tests only.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify,omitempty"`
}

// Enabled reports whether any TLS setting is made; endpoints are then dialled with TLS.
func (t TLS) Enabled() bool {
	return t.CAFile != "" || t.CertFile != "" || t.KeyFile != "" || t.ServerName != "" || t.InsecureSkipVerify
}

// UnmarshalYAML applies defaults, decodes strictly and validates.
func (c *Cluster) UnmarshalYAML(unmarshal func(any) error) error {
	if err := c.decode(unmarshal); err != nil {
		return err
	}
	return c.Validate()
}

// decode applies the defaults and decodes the entry without validating it.
func (c *Cluster) decode(unmarshal func(any) error) error {
	type plain Cluster
	*c = Cluster{
		DialTimeout:    model.Duration(DefaultDialTimeout),
		RequestTimeout: model.Duration(DefaultRequestTimeout),
	}
	return unmarshal((*plain)(c))
}

// Validate checks the entry; the error names the offending field relative to the entry
// (`endpoints: must not be empty`).
func (c *Cluster) Validate() error {
	if strings.TrimSpace(c.Name) == "" {
		return errors.New("name: must not be empty")
	}
	if len(c.Endpoints) == 0 {
		return errors.New("endpoints: must not be empty")
	}
	seen := map[string]bool{}
	for i, ep := range c.Endpoints {
		if err := validateEndpoint(ep); err != nil {
			return fmt.Errorf("endpoints[%d]: %w", i, err)
		}
		if seen[ep] {
			return fmt.Errorf("endpoints[%d]: duplicate endpoint %q", i, ep)
		}
		seen[ep] = true
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		return errors.New("tls: cert_file and key_file must be set together")
	}
	for _, f := range []struct{ field, path string }{
		{"tls.ca_file", c.TLS.CAFile}, {"tls.cert_file", c.TLS.CertFile}, {"tls.key_file", c.TLS.KeyFile},
		{"password_file", c.PasswordFile},
	} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("%s: %w", f.field, unwrapPathError(err))
		}
	}
	if c.TLS.Enabled() {
		if _, err := c.TLS.Config(); err != nil {
			return fmt.Errorf("tls: %w", err)
		}
	}
	sources := 0
	for _, set := range []bool{c.Password != "", c.PasswordFile != "", c.PasswordEnv != ""} {
		if set {
			sources++
		}
	}
	if sources > 1 {
		return errors.New("password: set at most one of password, password_file and password_env")
	}
	if sources == 1 && c.Username == "" {
		return errors.New("username: must be set when a password is")
	}
	if c.DialTimeout <= 0 {
		return errors.New("dial_timeout: must be greater than 0")
	}
	if c.RequestTimeout <= 0 {
		return errors.New("request_timeout: must be greater than 0")
	}
	return validateDiskAgents(c.DiskAgents)
}

// validateEndpoint accepts http(s)://host:port and host:port, as etcdctl does.
func validateEndpoint(ep string) error {
	if strings.TrimSpace(ep) == "" {
		return errors.New("must not be empty")
	}
	hostport := ep
	if strings.Contains(ep, "://") {
		u, err := url.Parse(ep)
		if err != nil {
			return fmt.Errorf("not a URL: %w", err)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Errorf("scheme %q: must be http or https", u.Scheme)
		}
		if u.User != nil {
			return errors.New("credentials in the URL are not allowed: use username and password_file")
		}
		if u.Path != "" && u.Path != "/" {
			return fmt.Errorf("path %q: an endpoint has no path", u.Path)
		}
		hostport = u.Host
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || host == "" || port == "" {
		return fmt.Errorf("%q: want host:port or http(s)://host:port", ep)
	}
	return nil
}

// unwrapPathError keeps the OS reason of a path error (the path itself is named by the caller).
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}
