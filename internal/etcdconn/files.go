package etcdconn

import (
	"crypto/sha256"
	"fmt"
	"os"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
)

// FileDigest is the sha256 of the content of the files a cluster entry names (CA, client
// certificate and key, password file; a file that cannot be read counts by its error), so that a
// reload sees a certificate or password rotated under the same path.
func FileDigest(cfg clusterconfig.Cluster) [sha256.Size]byte {
	h := sha256.New()
	for _, path := range []string{cfg.TLS.CAFile, cfg.TLS.CertFile, cfg.TLS.KeyFile, cfg.PasswordFile} {
		fmt.Fprintf(h, "%d:%s\n", len(path), path)
		if path == "" {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(h, "error: %v\n", err)
			continue
		}
		sum := sha256.Sum256(b)
		h.Write(sum[:])
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}
