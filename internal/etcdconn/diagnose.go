package etcdconn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// http2Preface is an HTTP/2 client connection preface and an empty SETTINGS frame: etcd's gRPC
// server answers it with its own SETTINGS, or, when it rejected our client certificate after a
// TLS 1.3 handshake, with an alert.
var http2Preface = []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")

// Diagnose connects to an endpoint itself, as gRPC would, to say why gRPC cannot: a TCP dial
// (refused, unreachable), then for HTTPS endpoints a TLS handshake with tc and the start of an
// HTTP/2 exchange (the server's verdict on the client certificate). It returns nil when the
// endpoint answers, or when ctx ends first; the error is an *Error.
func Diagnose(ctx context.Context, endpoint string, tc *tls.Config) error {
	host, secure := hostPort(endpoint, tc != nil)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return Classify(fmt.Errorf("dial %s: %w", host, err))
	}
	defer conn.Close()
	if !secure {
		return nil
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	cfg := tc.Clone()
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	cfg.NextProtos = []string{"h2"}
	if cfg.ServerName == "" {
		cfg.ServerName, _, _ = net.SplitHostPort(host)
	}
	tconn := tls.Client(conn, cfg)
	if err := tconn.HandshakeContext(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return tlsError(host, err)
	}
	if _, err := tconn.Write(http2Preface); err != nil {
		return answerError(ctx, host, err)
	}
	var b [1]byte
	if _, err := tconn.Read(b[:]); err != nil {
		return answerError(ctx, host, err)
	}
	return nil
}

// answerError reports what went wrong after the handshake: only an alert from the server (it
// rejected the client certificate) says anything; the rest is left to the gRPC error.
func answerError(ctx context.Context, host string, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	if _, ok := tlsCheck(err); ok {
		return tlsError(host, err)
	}
	return nil
}

func tlsError(host string, err error) error {
	check, ok := tlsCheck(err)
	if !ok {
		check = CheckHandshake
	}
	return &Error{Kind: KindTLS, Check: check, Err: fmt.Errorf("TLS handshake with %s: %w", host, err)}
}

// hostPort returns the host:port of an endpoint and whether it is dialled with TLS: https://
// always, host:port when TLS is configured (as etcd's client does).
func hostPort(endpoint string, tlsConfigured bool) (string, bool) {
	if scheme, rest, ok := strings.Cut(endpoint, "://"); ok {
		if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
			rest = u.Host
		}
		return rest, scheme == "https" || scheme == "unixs"
	}
	return endpoint, tlsConfigured
}

// errDefinite reports whether a diagnosis says for sure why the member cannot be used, so that
// the caller need not wait for its request's deadline.
func errDefinite(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind != KindTimeout && e.Kind != KindOther
}
