package auditseal

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// checkpointDomain starts every signed message, so a checkpoint signature is
// never valid for anything else the key might sign.
const checkpointDomain = "etcd-monitor/audit-checkpoint/v1\n"

// SignedMessage is what a checkpoint's signature covers, for anyone
// verifying checkpoints independently:
//
//	"etcd-monitor/audit-checkpoint/v1\n"
//	kind, key_id          each a uint32 big-endian length then the bytes
//	seq                   int64, big-endian
//	hash                  32 bytes
//	time                  int64 Unix nanoseconds (UTC, microsecond precision), big-endian
//	anchor seq            int64, big-endian
//	anchor hash           32 bytes
func SignedMessage(c *store.Checkpoint) []byte {
	var buf bytes.Buffer
	buf.WriteString(checkpointDomain)
	for _, s := range []string{string(c.Kind), c.KeyID} {
		_ = binary.Write(&buf, binary.BigEndian, uint32(len(s)))
		buf.WriteString(s)
	}
	_ = binary.Write(&buf, binary.BigEndian, c.Seq)
	buf.Write(c.Hash)
	_ = binary.Write(&buf, binary.BigEndian, store.NormalizeTime(c.Time).UnixNano())
	_ = binary.Write(&buf, binary.BigEndian, c.Anchor.Seq)
	buf.Write(c.Anchor.Hash)
	return buf.Bytes()
}

// Sign returns c with KeyID and Signature set and Time normalised.
func (s *Signer) Sign(c store.Checkpoint) store.Checkpoint {
	c.Time = store.NormalizeTime(c.Time)
	c.KeyID = s.keyID
	c.Signature = ed25519.Sign(s.key, SignedMessage(&c))
	return c
}

// errBadSignature: the checkpoint was not signed by the key it is checked with.
var errBadSignature = errors.New("signature does not verify with the public key: forged, altered or signed by another key")

// CheckSignature reports whether pub signed c as it is.
func CheckSignature(pub ed25519.PublicKey, c *store.Checkpoint) error {
	if len(c.Hash) != store.HashSize || len(c.Anchor.Hash) != store.HashSize ||
		len(c.Signature) != ed25519.SignatureSize || !ed25519.Verify(pub, SignedMessage(c), c.Signature) {
		return errBadSignature
	}
	return nil
}
