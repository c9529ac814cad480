package opsproxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
)

// serveWithWebConfig runs Serve on a loopback port with the given --web.config.file content
// and returns the address once it accepts connections; Serve is stopped at cleanup.
func serveWithWebConfig(t *testing.T, e *env, webConfig string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(path, []byte(webConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	addrs, systemd := []string{addr}, false
	flags := &web.FlagConfig{WebListenAddresses: &addrs, WebSystemdSocket: &systemd, WebConfigFile: &path}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Serve(ctx, e.srv, flags, slog.New(slog.NewTextHandler(e.log, nil))) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-errc:
			t.Fatalf("Serve stopped: %v", err)
		default:
		}
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("Serve does not listen on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeWithClientCertificatesRefusesConnectionsWithoutAValidCertificate(t *testing.T) {
	e := newEnv(t, envOptions{})
	pki, err := embedetcd.GenerateTLS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// A client certificate from another CA, which the server must not accept.
	stranger, err := embedetcd.GenerateTLS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	addr := serveWithWebConfig(t, e, fmt.Sprintf(`tls_server_config:
  cert_file: %s
  key_file: %s
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: %s
`, pki.ServerCertFile, pki.ServerKeyFile, pki.CAFile))

	caPEM, err := os.ReadFile(pki.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	withCert, err := pki.ClientTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	strangerCert, err := tls.LoadX509KeyPair(stranger.ClientCertFile, stranger.ClientKeyFile)
	if err != nil {
		t.Fatal(err)
	}

	get := func(t *testing.T, scheme string, tc *tls.Config, token string) (int, error) {
		t.Helper()
		tr := &http.Transport{TLSClientConfig: tc}
		defer tr.CloseIdleConnections()
		req, err := http.NewRequest("GET", scheme+"://"+addr+"/api/v1/clusters", nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}

	refused := []struct {
		name   string
		scheme string
		tls    *tls.Config
		logged string
	}{
		{"no client certificate", "https", &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, "client didn't provide a certificate"},
		{"client certificate of another CA", "https", &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{strangerCert}, MinVersion: tls.VersionTLS12}, "certificate signed by unknown authority"},
	}
	for _, cs := range refused {
		t.Run(cs.name, func(t *testing.T) {
			if status, err := get(t, cs.scheme, cs.tls, e.admin); err == nil {
				t.Fatalf("answered %d; want the TLS handshake refused", status)
			}
			// With TLS 1.3 the client may fail before the server has logged why it refused.
			for deadline := time.Now().Add(10 * time.Second); !strings.Contains(e.log.String(), cs.logged); time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the refusal is not in opsproxy's log (want %q):\n%s", cs.logged, e.log)
				}
			}
		})
	}
	t.Run("plain HTTP", func(t *testing.T) {
		if status, err := get(t, "http", nil, e.admin); err == nil && status != http.StatusBadRequest {
			t.Fatalf("plain HTTP answered %d", status)
		}
	})
	t.Run("client certificate without a token", func(t *testing.T) {
		if status, err := get(t, "https", withCert, ""); err != nil || status != http.StatusUnauthorized {
			t.Fatalf("status %d, %v; want 401: the certificate does not replace the token", status, err)
		}
	})
	t.Run("client certificate and token", func(t *testing.T) {
		if status, err := get(t, "https", withCert, e.admin); err != nil || status != http.StatusOK {
			t.Fatalf("status %d, %v; want 200", status, err)
		}
	})
}

// Serve speaks HTTP/1.1 and HTTP/2: without TLS by prior knowledge (h2c), with TLS as ALPN
// chooses, unless the web configuration turns HTTP/2 off.
func TestServeSpeaksHTTP1AndHTTP2WithAndWithoutTLS(t *testing.T) {
	e := newEnv(t, envOptions{})
	pki, err := embedetcd.GenerateTLS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(pki.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	tlsConfig := fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\n", pki.ServerCertFile, pki.ServerKeyFile)
	plain := serveWithWebConfig(t, e, "")
	secure := serveWithWebConfig(t, e, tlsConfig)
	noH2 := serveWithWebConfig(t, e, tlsConfig+"http_server_config:\n  http2: false\n")

	h1, h2c := new(http.Protocols), new(http.Protocols)
	h1.SetHTTP1(true)
	h2c.SetUnencryptedHTTP2(true)
	for _, tc := range []struct {
		name, url string
		tr        *http.Transport
		want      string
	}{
		{"HTTP/1.1 without TLS", "http://" + plain, &http.Transport{Protocols: h1}, "HTTP/1.1"},
		{"HTTP/2 without TLS (h2c)", "http://" + plain, &http.Transport{Protocols: h2c}, "HTTP/2.0"},
		{"TLS, ALPN", "https://" + secure, &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}, "HTTP/2.0"},
		{"TLS, HTTP/2 turned off", "https://" + noH2, &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}, "HTTP/1.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.tr.CloseIdleConnections()
			req, err := http.NewRequest("GET", tc.url+"/api/v1/clusters", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+e.admin)
			resp, err := (&http.Client{Transport: tc.tr, Timeout: 30 * time.Second}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != http.StatusOK || resp.Proto != tc.want {
				t.Fatalf("%d over %s; want 200 over %s", resp.StatusCode, resp.Proto, tc.want)
			}
		})
	}
}
