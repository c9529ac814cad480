package clusterconfig

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Config returns a client TLS configuration from the files, read now (so rotated files are
// picked up by the next client).
func (t TLS) Config() (*tls.Config, error) {
	tc := &tls.Config{
		ServerName:         t.ServerName,
		InsecureSkipVerify: t.InsecureSkipVerify, //nolint:gosec // an explicit, documented opt-in.
		MinVersion:         tls.VersionTLS12,
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", unwrapPathError(err))
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file: %s: no PEM certificate found", t.CAFile)
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			// The message of LoadX509KeyPair names files and PEM problems, never key material.
			return nil, fmt.Errorf("cert_file/key_file: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	if t.ServerName != "" && !t.InsecureSkipVerify {
		// etcd's client hands gRPC each endpoint's host as the name to verify, and gRPC puts it in
		// place of tls.Config.ServerName: the configured name is checked here instead.
		tc.InsecureSkipVerify = true //nolint:gosec // verified by VerifyConnection below.
		tc.VerifyConnection = verifyFor(t.ServerName, tc.RootCAs)
	}
	return tc, nil
}

// verifyFor verifies the server's certificate chain against roots (the system's when nil) for name.
func verifyFor(name string, roots *x509.CertPool) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("tls: server presented no certificate")
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: name})
		return err
	}
}

// ReadPassword returns the password from password_file, password_env or the inline setting.
// Errors name the file or variable, never the content.
func (c Cluster) ReadPassword() (string, error) {
	switch {
	case c.PasswordFile != "":
		b, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return "", fmt.Errorf("password_file: %w", unwrapPathError(err))
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	case c.PasswordEnv != "":
		v, ok := os.LookupEnv(c.PasswordEnv)
		if !ok {
			return "", fmt.Errorf("password_env: environment variable %s is not set", c.PasswordEnv)
		}
		return v, nil
	default:
		return string(c.Password), nil
	}
}

// KeepAliveTime is how often a client pings a member while it has a request or watch open;
// above etcd's --grpc-keepalive-min-time default (5s) and gRPC's client minimum (10s).
const KeepAliveTime = 30 * time.Second

// ClientConfig returns an etcd client configuration for the given endpoints of the cluster (all
// of them when none are given), with TLS, credentials and the dial timeout.
func (c Cluster) ClientConfig(endpoints ...string) (clientv3.Config, error) {
	if len(endpoints) == 0 {
		endpoints = c.Endpoints
	}
	cfg := clientv3.Config{
		Endpoints:   endpoints,
		DialTimeout: time.Duration(c.DialTimeout),
		// A client that cannot reach a member retries quietly; the caller reports the failure.
		Logger: zap.NewNop(),
		// Keepalive pings that etcd's server accepts: its enforcement policy
		// (--grpc-keepalive-min-time, 5s by default) allows one ping per 5s and only while a
		// request or watch is open (PermitWithoutStream false); anything more gets the connection
		// closed with "too_many_pings" after three pings.
		DialKeepAliveTime:    KeepAliveTime,
		DialKeepAliveTimeout: time.Duration(c.RequestTimeout),
		PermitWithoutStream:  false,
	}
	if c.TLS.Enabled() {
		tc, err := c.TLS.Config()
		if err != nil {
			return clientv3.Config{}, fmt.Errorf("tls: %w", err)
		}
		cfg.TLS = tc
	}
	if c.Username != "" {
		pw, err := c.ReadPassword()
		if err != nil {
			return clientv3.Config{}, err
		}
		cfg.Username, cfg.Password = c.Username, pw
	}
	return cfg, nil
}
