package embedetcd

import (
	"crypto/tls"

	"go.etcd.io/etcd/client/pkg/v3/transport"
)

// ClientTLSConfig returns a client TLS configuration that trusts the test CA and presents the
// client certificate.
func (f *TLSFiles) ClientTLSConfig() (*tls.Config, error) {
	info := transport.TLSInfo{
		CertFile:      f.ClientCertFile,
		KeyFile:       f.ClientKeyFile,
		TrustedCAFile: f.CAFile,
	}
	return info.ClientConfig()
}
