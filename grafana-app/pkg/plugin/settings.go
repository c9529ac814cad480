package plugin

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Settings is the app's configuration, as saved on its configuration page. The service token
// and TLS keys are in secureJsonData: Grafana keeps them encrypted and never sends them back
// to the browser.
type Settings struct {
	// OpsproxyURL is opsproxy's base URL, such as https://opsproxy.example:9980.
	OpsproxyURL string `json:"opsproxyUrl"`
	// TLSSkipVerify accepts any server certificate (tests and labs only).
	TLSSkipVerify bool `json:"tlsSkipVerify,omitempty"`
	// TLSServerName overrides the name checked in opsproxy's certificate.
	TLSServerName string `json:"tlsServerName,omitempty"`

	// From secureJsonData.
	ServiceToken  string `json:"-"`
	TLSCACert     string `json:"-"`
	TLSClientCert string `json:"-"`
	TLSClientKey  string `json:"-"`
}

// Keys of secureJsonData.
const (
	secureServiceToken  = "serviceToken"
	secureTLSCACert     = "tlsCACert"
	secureTLSClientCert = "tlsClientCert"
	secureTLSClientKey  = "tlsClientKey"
)

// errNotConfigured is returned when the opsproxy URL or the service token is missing.
var errNotConfigured = errors.New("not configured")

// loadSettings reads the app's settings. It fails only on settings that cannot be read at
// all; missing ones are reported by validate, so that the health check can name them.
func loadSettings(s backend.AppInstanceSettings) (Settings, error) {
	var st Settings
	if len(s.JSONData) > 0 && string(s.JSONData) != "null" {
		if err := json.Unmarshal(s.JSONData, &st); err != nil {
			return st, fmt.Errorf("app settings (jsonData): %w", err)
		}
	}
	st.OpsproxyURL = strings.TrimSpace(st.OpsproxyURL)
	st.ServiceToken = strings.TrimSpace(s.DecryptedSecureJSONData[secureServiceToken])
	st.TLSCACert = s.DecryptedSecureJSONData[secureTLSCACert]
	st.TLSClientCert = s.DecryptedSecureJSONData[secureTLSClientCert]
	st.TLSClientKey = s.DecryptedSecureJSONData[secureTLSClientKey]
	return st, nil
}

// missing names the settings a working app needs and does not have.
func (s Settings) missing() []string {
	var m []string
	if s.OpsproxyURL == "" {
		m = append(m, "opsproxy URL")
	}
	if s.ServiceToken == "" {
		m = append(m, "service token")
	}
	return m
}

// baseURL parses and checks OpsproxyURL.
func (s Settings) baseURL() (*url.URL, error) {
	u, err := url.Parse(s.OpsproxyURL)
	if err != nil {
		return nil, fmt.Errorf("opsproxy URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("opsproxy URL %q: want http:// or https://", u.Redacted())
	}
	if u.Host == "" {
		return nil, fmt.Errorf("opsproxy URL %q: no host", u.Redacted())
	}
	if u.User != nil {
		return nil, fmt.Errorf("opsproxy URL %q: must not carry credentials (the service token is a setting of its own)", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("opsproxy URL %q: must not have a query or fragment", u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// tlsConfig builds the client TLS configuration from the settings (nil: Go's defaults).
func (s Settings) tlsConfig() (*tls.Config, error) {
	if !s.TLSSkipVerify && s.TLSServerName == "" && s.TLSCACert == "" && s.TLSClientCert == "" && s.TLSClientKey == "" {
		return nil, nil
	}
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: s.TLSSkipVerify, //nolint:gosec // an explicit setting, for labs
		ServerName:         s.TLSServerName,
	}
	if s.TLSCACert != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(s.TLSCACert)) {
			return nil, errors.New("TLS CA certificate: no PEM certificate found")
		}
		cfg.RootCAs = pool
	}
	if (s.TLSClientCert == "") != (s.TLSClientKey == "") {
		return nil, errors.New("TLS client certificate: the certificate and its key go together")
	}
	if s.TLSClientCert != "" {
		// The error of X509KeyPair never quotes the key.
		pair, err := tls.X509KeyPair([]byte(s.TLSClientCert), []byte(s.TLSClientKey))
		if err != nil {
			return nil, fmt.Errorf("TLS client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
