package etcdconn

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestClassifyReadsTheKindFromErrorsAndGRPCMessages(t *testing.T) {
	unavailable := func(msg string) error { return status.Error(codes.Unavailable, msg) }
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"refused dial", fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), "refused"},
		{"refused in gRPC", unavailable(`connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:1: connect: connection refused"`), "refused"},
		{"no route", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, "unreachable"},
		{"unknown host", &net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}, "unreachable"},
		{"unknown authority", fmt.Errorf("handshake: %w", x509.UnknownAuthorityError{}), "tls_unknown_authority"},
		{"unknown authority in gRPC", unavailable("connection error: desc = \"transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority\""), "tls_unknown_authority"},
		{"hostname", x509.HostnameError{Host: "a"}, "tls_hostname_mismatch"},
		{"expired", x509.CertificateInvalidError{Reason: x509.Expired}, "tls_expired_or_not_yet_valid"},
		{"client certificate rejected in gRPC", unavailable("connection error: desc = \"error reading server preface: remote error: tls: bad certificate\""), "tls_client_cert_rejected"},
		{"wrong password", rpctypes.ErrAuthFailed, "auth"},
		{"invalid token", fmt.Errorf("get: %w", rpctypes.ErrInvalidAuthToken), "auth"},
		{"deadline", fmt.Errorf("status: %w", context.DeadlineExceeded), "timeout"},
		{"deadline in gRPC", status.Error(codes.DeadlineExceeded, "context deadline exceeded"), "timeout"},
		{"member error", rpctypes.ErrNoSpace, "other"},
		{"already classified", fmt.Errorf("status: %w", &Error{Kind: KindRefused, Err: errors.New("x")}), "refused"},
		{"nil", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ReasonOf(tc.err); got != tc.want {
				t.Errorf("ReasonOf(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}
