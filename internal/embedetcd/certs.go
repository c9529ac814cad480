package embedetcd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// TLSFiles are the PEM files of a test PKI generated at test time: one CA, a server certificate for
// 127.0.0.1 and localhost used by every member, and a client certificate.
type TLSFiles struct {
	CAFile         string
	ServerCertFile string
	ServerKeyFile  string
	ClientCertFile string
	ClientKeyFile  string
	// NotAfter of each certificate, for tests of expiry metrics.
	CANotAfter     time.Time
	ServerNotAfter time.Time
	ClientNotAfter time.Time
}

// certValidity is how long generated certificates are valid. Different lifetimes per kind let a
// test tell them apart by expiry.
var certValidity = map[string]time.Duration{
	"ca":     90 * 24 * time.Hour,
	"server": 60 * 24 * time.Hour,
	"client": 30 * 24 * time.Hour,
}

// GenerateTLS writes a CA, a server and a client certificate with their keys into dir.
func GenerateTLS(dir string) (*TLSFiles, error) {
	now := time.Now().Truncate(time.Second)
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "embedetcd CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity["ca"]),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("parse CA certificate: %w", err)
	}
	f := &TLSFiles{
		CAFile:         filepath.Join(dir, "ca.crt"),
		ServerCertFile: filepath.Join(dir, "server.crt"),
		ServerKeyFile:  filepath.Join(dir, "server.key"),
		ClientCertFile: filepath.Join(dir, "client.crt"),
		ClientKeyFile:  filepath.Join(dir, "client.key"),
		CANotAfter:     caTmpl.NotAfter,
		ServerNotAfter: now.Add(certValidity["server"]),
		ClientNotAfter: now.Add(certValidity["client"]),
	}
	if err := writePEM(f.CAFile, "CERTIFICATE", caDER); err != nil {
		return nil, err
	}
	leaves := []struct {
		serial         int64
		cn             string
		notAfter       time.Time
		usage          x509.ExtKeyUsage
		certFile, keyF string
	}{
		{2, "embedetcd server", f.ServerNotAfter, x509.ExtKeyUsageServerAuth, f.ServerCertFile, f.ServerKeyFile},
		{3, "embedetcd client", f.ClientNotAfter, x509.ExtKeyUsageClientAuth, f.ClientCertFile, f.ClientKeyFile},
	}
	for _, l := range leaves {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate %s key: %w", l.cn, err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(l.serial),
			Subject:      pkix.Name{CommonName: l.cn},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     l.notAfter,
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			// etcd uses the server certificate for its peer client side too, so allow both.
			ExtKeyUsage: []x509.ExtKeyUsage{l.usage, x509.ExtKeyUsageClientAuth},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
			DNSNames:    []string{"localhost"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			return nil, fmt.Errorf("create %s certificate: %w", l.cn, err)
		}
		keyDER, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return nil, fmt.Errorf("marshal %s key: %w", l.cn, err)
		}
		if err := writePEM(l.certFile, "CERTIFICATE", der); err != nil {
			return nil, err
		}
		if err := writePEM(l.keyF, "EC PRIVATE KEY", keyDER); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func writePEM(path, blockType string, der []byte) error {
	data := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
