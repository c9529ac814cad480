package etcdconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Kind is why a member could not be used.
type Kind string

// The kinds of failure, from the most to the least specific.
const (
	// KindRefused: nothing listens on the endpoint's port.
	KindRefused Kind = "refused"
	// KindTLS: the TLS handshake failed; Error.Check says which check.
	KindTLS Kind = "tls"
	// KindAuth: etcd rejected the credentials (wrong user or password, invalid token, or no permission).
	KindAuth Kind = "auth"
	// KindTimeout: the member did not answer in time.
	KindTimeout Kind = "timeout"
	// KindUnreachable: no route to the host, or its name does not resolve.
	KindUnreachable Kind = "unreachable"
	// KindOther: anything else (the member answered with an error, for example).
	KindOther Kind = "other"
)

// The TLS checks that can fail, in Error.Check.
const (
	CheckUnknownAuthority   = "unknown_authority"
	CheckHostnameMismatch   = "hostname_mismatch"
	CheckExpired            = "expired_or_not_yet_valid"
	CheckClientCertRejected = "client_cert_rejected"
	CheckNotTLS             = "not_tls"
	CheckHandshake          = "handshake"
)

// Error is a failure to use a member, with its kind.
type Error struct {
	Kind Kind
	// Check is, for KindTLS, the check that failed (Check* constants); empty otherwise.
	Check string
	Err   error
}

func (e *Error) Error() string {
	if e.Check != "" {
		return fmt.Sprintf("%s (%s): %v", e.Kind, strings.ReplaceAll(e.Check, "_", " "), e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Reason is the kind, with the failed check for TLS ("tls_unknown_authority"): a label value.
func (e *Error) Reason() string {
	if e.Kind == KindTLS && e.Check != "" {
		return string(KindTLS) + "_" + e.Check
	}
	return string(e.Kind)
}

// Classify returns err as an *Error: itself when it is one, otherwise wrapped with the kind read
// from the error chain and, for gRPC, from the status message (where gRPC flattens the dial
// error into text). nil stays nil.
func Classify(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	kind, check := classify(err)
	return &Error{Kind: kind, Check: check, Err: err}
}

// ReasonOf is Classify(err).Reason(), and "" for nil.
func ReasonOf(err error) string {
	if err == nil {
		return ""
	}
	return Classify(err).Reason()
}

var authErrors = []error{rpctypes.ErrAuthFailed, rpctypes.ErrInvalidAuthToken, rpctypes.ErrInvalidAuthMgmt,
	rpctypes.ErrUserEmpty, rpctypes.ErrPermissionDenied, rpctypes.ErrAuthOldRevision, rpctypes.ErrUserNotFound}

func classify(err error) (Kind, string) {
	for _, a := range authErrors {
		if errors.Is(err, a) {
			return KindAuth, ""
		}
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return KindRefused, ""
	}
	if errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return KindUnreachable, ""
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && !dnsErr.IsTimeout {
		return KindUnreachable, ""
	}
	if check, ok := tlsCheck(err); ok {
		return KindTLS, check
	}
	// gRPC keeps only the text of the error that made the connection fail.
	msg := err.Error()
	if s, ok := status.FromError(err); ok {
		msg = s.Message()
		if s.Code() == codes.DeadlineExceeded && !strings.Contains(msg, "transport") {
			return KindTimeout, ""
		}
	}
	switch {
	case strings.Contains(msg, "connection refused"):
		return KindRefused, ""
	case strings.Contains(msg, "no route to host"), strings.Contains(msg, "network is unreachable"), strings.Contains(msg, "no such host"):
		return KindUnreachable, ""
	case strings.Contains(msg, "x509: certificate signed by unknown authority"):
		return KindTLS, CheckUnknownAuthority
	case strings.Contains(msg, "x509: certificate is valid for"), strings.Contains(msg, "doesn't contain any IP SANs"),
		strings.Contains(msg, "certificate is not valid for any names"):
		return KindTLS, CheckHostnameMismatch
	case strings.Contains(msg, "has expired or is not yet valid"):
		return KindTLS, CheckExpired
	case strings.Contains(msg, "remote error: tls:") && strings.Contains(msg, "certificate"):
		return KindTLS, CheckClientCertRejected
	case strings.Contains(msg, "first record does not look like a TLS handshake"):
		return KindTLS, CheckNotTLS
	case strings.Contains(msg, "authentication handshake failed"):
		return KindTLS, CheckHandshake
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return KindTimeout, ""
	}
	return KindOther, ""
}

// tlsCheck names the TLS check an error of crypto/tls or crypto/x509 reports.
func tlsCheck(err error) (string, bool) {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		op       *net.OpError
	)
	switch {
	case errors.As(err, &unknown):
		return CheckUnknownAuthority, true
	case errors.As(err, &hostname):
		return CheckHostnameMismatch, true
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			return CheckExpired, true
		}
		return CheckHandshake, true
	case errors.As(err, &record):
		return CheckNotTLS, true
	case errors.As(err, &op) && op.Op == "remote error" && strings.Contains(op.Err.Error(), "tls:"):
		// An alert from the server: about our certificate (bad, unknown CA, required, expired) or
		// anything else in the handshake.
		if strings.Contains(op.Err.Error(), "certificate") {
			return CheckClientCertRejected, true
		}
		return CheckHandshake, true
	}
	return "", false
}
