package exporter

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
)

func init() { registerProbe("certs", true, certsProbe{}) }

// certsProbe reports when certificates expire: the server certificate each HTTPS endpoint
// presents (read with a TLS handshake of its own, which succeeds even when the certificate has
// already expired), and the client certificate and CA the configuration names. It also says
// whether each server certificate verifies against the configured CA for the endpoint's name: one
// that does not fails the probe, whatever its expiry.
type certsProbe struct{}

var (
	certNotAfterDesc = prometheus.NewDesc(namespace+"_tls_cert_not_after_timestamp_seconds",
		"Expiry of a certificate: kind=server (presented by the endpoint), client or ca (configured).",
		[]string{"cluster", "kind", "endpoint", "subject"}, nil)
	certVerifiedDesc = prometheus.NewDesc(namespace+"_tls_server_cert_verified",
		"1 when the server certificate the endpoint presents verifies against the configured CA for the endpoint's name (or tls.server_name), 0 when it does not (unknown authority, hostname mismatch, expired). Absent with insecure_skip_verify.",
		[]string{"cluster", "endpoint"}, nil)
)

func (certsProbe) describe(ch chan<- *prometheus.Desc) {
	ch <- certNotAfterDesc
	ch <- certVerifiedDesc
}

func (certsProbe) collect(s *scrape, ch chan<- prometheus.Metric) error {
	cfg := s.t.cfg
	var https []string
	for _, ep := range cfg.Endpoints {
		if strings.HasPrefix(ep, "https://") || (cfg.TLS.Enabled() && !strings.Contains(ep, "://")) {
			https = append(https, ep)
		}
	}
	if len(https) == 0 && cfg.TLS.CAFile == "" && cfg.TLS.CertFile == "" {
		return errNotApplicable
	}
	var errs []error
	for _, f := range []struct{ kind, path string }{{"ca", cfg.TLS.CAFile}, {"client", cfg.TLS.CertFile}} {
		if f.path == "" {
			continue
		}
		certs, err := readCertificates(f.path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s certificate: %w", f.kind, err))
		}
		for _, c := range certs {
			ch <- gauge(certNotAfterDesc, float64(c.NotAfter.Unix()), cfg.Name, f.kind, "", c.Subject.String())
		}
	}
	tc, err := cfg.TLS.Config()
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	// Only the certificate is read, nothing is sent: verification is skipped so that an expired
	// or otherwise invalid certificate can still be reported.
	tc.InsecureSkipVerify = true
	tc.VerifyConnection = nil
	roots := tc.RootCAs
	serverErrs := make([]error, len(https))
	parallel(len(https), func(i int) {
		chain, err := s.serverCertificate(https[i], tc.Clone())
		if err != nil {
			serverErrs[i] = err
			return
		}
		cert := chain[0]
		ch <- gauge(certNotAfterDesc, float64(cert.NotAfter.Unix()), cfg.Name, "server", https[i], cert.Subject.String())
		if cfg.TLS.InsecureSkipVerify {
			return
		}
		if err := verifyServerCertificate(chain, roots, serverName(https[i], cfg.TLS.ServerName)); err != nil {
			serverErrs[i] = fmt.Errorf("server certificate of %s does not verify: %w", https[i], etcdconn.Classify(err))
		}
		ch <- gauge(certVerifiedDesc, boolFloat(serverErrs[i] == nil), cfg.Name, https[i])
	})
	return errors.Join(append(errs, serverErrs...)...)
}

// serverCertificate returns the certificate chain an endpoint presents, leaf first.
func (s *scrape) serverCertificate(endpoint string, tc *tls.Config) ([]*x509.Certificate, error) {
	host := endpointHost(endpoint)
	ctx, cancel := s.memberContext()
	defer cancel()
	d := tls.Dialer{NetDialer: &net.Dialer{}, Config: tc}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, fmt.Errorf("TLS handshake with %s: %w", endpoint, err)
	}
	defer conn.Close()
	peer := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(peer) == 0 {
		return nil, fmt.Errorf("TLS handshake with %s: no certificate presented", endpoint)
	}
	return peer, nil
}

// endpointHost is the host:port of an endpoint URL (or the endpoint itself without a scheme).
func endpointHost(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		return u.Host
	}
	return endpoint
}

// serverName is the name a server certificate must be valid for: tls.server_name when set, else
// the endpoint's host, as etcd's client checks it.
func serverName(endpoint, configured string) string {
	if configured != "" {
		return configured
	}
	host, _, err := net.SplitHostPort(endpointHost(endpoint))
	if err != nil {
		return endpointHost(endpoint)
	}
	return host
}

// verifyServerCertificate checks a presented chain as the TLS handshake of etcd's client would:
// against roots (the system's when nil), for the name, at the current time.
func verifyServerCertificate(chain []*x509.Certificate, roots *x509.CertPool, name string) error {
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: name})
	return err
}

// readCertificates parses every certificate of a PEM file.
func readCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no certificate found", path)
	}
	return certs, nil
}
