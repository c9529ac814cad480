package ctl

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Config is how ctl reaches opsproxy. The token is never a flag (flags show in `ps`): it is
// read from TokenFile, or from the ETCD_MONITOR_TOKEN environment variable.
type Config struct {
	URL       string
	TokenFile string
	// Token is the secret itself, from the environment.
	Token string
	// CACert, Cert and Key are PEM files: the CA opsproxy's certificate is checked against,
	// and a client certificate and key for opsproxy servers that ask for one.
	CACert, Cert, Key     string
	InsecureSkipTLSVerify bool
	// Cluster is the cluster commands run on (empty: the only one the token may use).
	Cluster string
	// Timeout bounds each request to opsproxy but the snapshot download.
	Timeout time.Duration
}

// TokenEnv is the environment variable holding the token when no token file is given.
const TokenEnv = "ETCD_MONITOR_TOKEN"

// maxTokenFileSize bounds the token file: a token is a line, anything larger is another file.
const maxTokenFileSize = 4 << 10

// token returns the token to send. Errors name the setting and never carry the secret.
func (c *Config) token() (string, error) {
	if c.TokenFile != "" {
		fi, err := os.Stat(c.TokenFile)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		if fi.Size() > maxTokenFileSize {
			return "", fmt.Errorf("--token-file: %s is %d bytes, too large for a token", c.TokenFile, fi.Size())
		}
		raw, err := os.ReadFile(c.TokenFile)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		tok := strings.TrimSpace(string(raw))
		if tok == "" {
			return "", fmt.Errorf("--token-file: %s is empty", c.TokenFile)
		}
		return tok, checkToken("--token-file", tok)
	}
	tok := strings.TrimSpace(c.Token)
	if tok == "" {
		return "", fmt.Errorf("no token: set --token-file (or ETCD_MONITOR_TOKEN_FILE) or %s", TokenEnv)
	}
	return tok, checkToken(TokenEnv, tok)
}

// checkToken refuses a token that cannot go into an Authorization header, naming where it
// came from but not what it is.
func checkToken(source, tok string) error {
	for _, r := range tok {
		if r < 0x21 || r > 0x7e {
			return fmt.Errorf("%s: the token holds a space or a character outside printable ASCII", source)
		}
	}
	return nil
}

// baseURL checks the opsproxy URL.
func (c *Config) baseURL() (*url.URL, error) {
	if c.URL == "" {
		return nil, errors.New("no opsproxy URL: set --url or ETCD_MONITOR_URL")
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		// The parse error repeats the URL, which may hold credentials.
		return nil, errors.New("--url: want http(s)://host[:port]: not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("--url: want http(s)://host[:port], got %q", u.Redacted())
	}
	if u.User != nil {
		// Credentials in a URL end up in shell history and process lists.
		return nil, errors.New("--url: must not hold credentials: give the token with --token-file or " + TokenEnv)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// transport is the HTTP transport with the TLS settings.
func (c *Config) transport() (*http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyFromEnvironment
	tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.InsecureSkipTLSVerify} //nolint:gosec // the user's explicit choice
	if c.CACert != "" {
		pem, err := os.ReadFile(c.CACert)
		if err != nil {
			return nil, fmt.Errorf("--cacert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--cacert: no PEM certificate in %s", c.CACert)
		}
		tc.RootCAs = pool
	}
	switch {
	case c.Cert != "" && c.Key != "":
		pair, err := tls.LoadX509KeyPair(c.Cert, c.Key)
		if err != nil {
			return nil, fmt.Errorf("--cert, --key: %w", err)
		}
		tc.Certificates = []tls.Certificate{pair}
	case c.Cert != "":
		return nil, errors.New("--key: required with --cert")
	case c.Key != "":
		return nil, errors.New("--cert: required with --key")
	}
	tr.TLSClientConfig = tc
	return tr, nil
}
