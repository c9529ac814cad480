package backup

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
)

// Encryption encrypts backups with age (filippo.io/age) to X25519 recipients. The identity file
// (the private key) is needed to verify, drill and restore; it must live outside the location,
// so that whoever can read the backups cannot decrypt them.
type Encryption struct {
	// Recipients are age X25519 public keys ("age1…").
	Recipients []string `json:"recipients"`
	// IdentityFile holds the age identities ("AGE-SECRET-KEY-1…") that decrypt the backups.
	IdentityFile string `json:"identity_file"`
}

type (
	recipient = age.Recipient
	identity  = age.Identity
)

// encryptedSuffix ends the name of an encrypted backup.
const encryptedSuffix = ".age"

// ageMagic starts every age file.
var ageMagic = []byte("age-encryption.org/v1\n")

func (c *Encryption) load(loc location.Location) ([]recipient, []identity, error) {
	if len(c.Recipients) == 0 {
		return nil, nil, errors.New("recipients: must not be empty")
	}
	var rs []recipient
	for i, s := range c.Recipients {
		r, err := age.ParseX25519Recipient(strings.TrimSpace(s))
		if err != nil {
			return nil, nil, fmt.Errorf("recipients[%d]: %w", i, err)
		}
		rs = append(rs, r)
	}
	ids, err := loadIdentities(c.IdentityFile, loc)
	if err != nil {
		return nil, nil, err
	}
	return rs, ids, nil
}

// loadIdentities reads an age identity file, refusing one kept inside a directory location.
// Errors name the file, never its content.
func loadIdentities(path string, loc location.Location) ([]identity, error) {
	if path == "" {
		return nil, errors.New("identity_file: must be set (backups are verified after they are stored)")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("identity_file %s: %w", path, err)
	}
	if lp, ok := loc.(location.LocalPath); ok {
		dir := filepath.Dir(lp.Path("x"))
		if rel, err := filepath.Rel(dir, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return nil, fmt.Errorf("identity_file %s: inside the backup location %s; keep the key elsewhere", path, dir)
		}
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, fmt.Errorf("identity_file: %w", err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		// age's parse errors may quote the line; say only where it failed.
		return nil, fmt.Errorf("identity_file %s: not an age identity file", path)
	}
	return ids, nil
}

// decryptIfAge returns the plaintext of r: r itself when it is not an age file, decrypted with
// ids when it is.
func decryptIfAge(r io.Reader, ids []identity) (io.Reader, bool, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(len(ageMagic))
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, false, err
	}
	if !bytes.Equal(head, ageMagic) {
		return br, false, nil
	}
	if len(ids) == 0 {
		return nil, true, errors.New("encrypted with age, and no identity_file is configured")
	}
	pr, err := age.Decrypt(br, ids...)
	if err != nil {
		return nil, true, fmt.Errorf("decrypt: %w", err)
	}
	return pr, true, nil
}
