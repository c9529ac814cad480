package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// HashSize is the length of chain hashes (sha256).
const HashSize = sha256.Size

// GenesisHash is the PrevHash of record 1: 32 zero bytes.
var GenesisHash = make([]byte, HashSize)

// chainDomain starts every hashed message, so a chain hash can never be
// mistaken for a hash of anything else.
const chainDomain = "etcd-monitor/audit/v1\n"

// ChainHash returns sha256 over the canonical encoding of rec preceded by
// prev (rec's own PrevHash and Hash are ignored). The encoding, for anyone
// verifying a log export independently:
//
//	"etcd-monitor/audit/v1\n"
//	prev                          32 bytes
//	seq                           int64, big-endian
//	time                          int64 Unix nanoseconds (UTC, microsecond precision), big-endian
//	request_id, user, token_id, role, source, cluster, operation,
//	key, range_end, value_sha256, outcome, error
//	                              each a uint32 big-endian length then the bytes
//	value_size, duration_ns       int64, big-endian
//	client_request_id             only when not empty: a uint32 big-endian length then the bytes
//
// client_request_id came later; leaving it out when empty keeps the hashes of the records
// written before it (and of records without one) as they were.
//
// and then, only when any of them is set:
//
//	key_size                      int64, big-endian
//	key_sha256                    uint32 big-endian length then the bytes
//	range_end_size                int64, big-endian
//	range_end_sha256              uint32 big-endian length then the bytes
//
// These came later too; left out when unset, records written before them hash as they did.
// And then, only when not empty:
//
//	0xFFFFFFFF                    uint32 marker
//	command                       uint32 big-endian length then the bytes
//
// The optional parts cannot be mistaken for each other: a client_request_id is written only
// when not empty and is at most MaxAuditTextLen bytes, so its uint32 length is between 1 and
// 256; key_size's first four bytes are 0 (no etcd key reaches 4 GiB); and the command starts
// with the marker 0xFFFFFFFF, which is neither.
func ChainHash(prev []byte, rec *AuditRecord) []byte {
	var buf bytes.Buffer
	buf.Grow(256 + len(rec.Key) + len(rec.RangeEnd) + len(rec.Error) + len(rec.Command))
	buf.WriteString(chainDomain)
	buf.Write(prev)
	putInt(&buf, rec.Seq)
	putInt(&buf, rec.Time.UnixNano())
	for _, s := range [][]byte{[]byte(rec.RequestID), []byte(rec.User), []byte(rec.TokenID),
		[]byte(rec.Role), []byte(rec.Source), []byte(rec.Cluster), []byte(rec.Operation),
		rec.Key, rec.RangeEnd, []byte(rec.ValueSHA256), []byte(rec.Outcome), []byte(rec.Error)} {
		putBytes(&buf, s)
	}
	putInt(&buf, rec.ValueSize)
	putInt(&buf, int64(rec.Duration))
	if rec.ClientRequestID != "" {
		putBytes(&buf, []byte(rec.ClientRequestID))
	}
	if rec.KeySize != 0 || rec.KeySHA256 != "" || rec.RangeEndSize != 0 || rec.RangeEndSHA256 != "" {
		putInt(&buf, rec.KeySize)
		putBytes(&buf, []byte(rec.KeySHA256))
		putInt(&buf, rec.RangeEndSize)
		putBytes(&buf, []byte(rec.RangeEndSHA256))
	}
	if rec.Command != "" {
		buf.Write(commandMarker[:])
		putBytes(&buf, []byte(rec.Command))
	}
	sum := sha256.Sum256(buf.Bytes())
	return sum[:]
}

// commandMarker starts the command part of the hashed encoding (see ChainHash).
var commandMarker = [4]byte{0xff, 0xff, 0xff, 0xff}

func putBytes(buf *bytes.Buffer, s []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(s)))
	buf.Write(n[:])
	buf.Write(s)
}

func putInt(buf *bytes.Buffer, v int64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(v))
	buf.Write(b[:])
}

// Chain links prepared records onto a head. Backends make sure nothing else
// is linked onto the same head (PostgreSQL: the batch is written only if its
// head still is the tip of audit_heads; bbolt: a write transaction).
type Chain struct {
	head ChainPoint
}

// NewChain starts a chain after head.
func NewChain(head ChainPoint) *Chain {
	h := ChainPoint{Seq: head.Seq, Hash: head.Hash}
	if len(h.Hash) == 0 {
		h.Hash = GenesisHash
	}
	return &Chain{head: h}
}

// Link sets rec's Seq, PrevHash and Hash and advances the head.
func (c *Chain) Link(rec *AuditRecord) {
	rec.Seq = c.head.Seq + 1
	rec.PrevHash = c.head.Hash
	rec.Hash = ChainHash(rec.PrevHash, rec)
	c.head = ChainPoint{Seq: rec.Seq, Hash: rec.Hash}
}

// Head is the last linked point.
func (c *Chain) Head() ChainPoint { return c.head }

// Verifier checks records read in Seq order from the anchor onwards.
type Verifier struct {
	result AuditVerification
	last   ChainPoint
}

// NewVerifier starts verification at anchor; head is what the store
// believes is the last record.
func NewVerifier(anchor, head ChainPoint) *Verifier {
	if len(anchor.Hash) == 0 {
		anchor.Hash = GenesisHash
	}
	return &Verifier{
		result: AuditVerification{Anchor: anchor, Head: head},
		last:   anchor,
	}
}

// Next checks the next record and returns false once a break is found.
func (v *Verifier) Next(rec *AuditRecord) bool {
	if v.result.Break != nil {
		return false
	}
	v.result.Checked++
	want := v.last.Seq + 1
	switch {
	case rec.Seq < want:
		return v.fail(rec.Seq, fmt.Sprintf("out of order or duplicated: expected record %d", want))
	case rec.Seq > want:
		return v.fail(want, fmt.Sprintf("missing: the next stored record is %d", rec.Seq))
	case !bytes.Equal(ChainHash(rec.PrevHash, rec), rec.Hash):
		return v.fail(rec.Seq, "altered: content does not match its hash")
	case !bytes.Equal(rec.PrevHash, v.last.Hash):
		if rec.Seq == v.result.Anchor.Seq+1 {
			if v.result.Anchor.Seq == 0 {
				return v.fail(rec.Seq, "altered: does not start from the genesis hash")
			}
			return v.fail(rec.Seq, "does not link to the retention anchor: anchor or record altered")
		}
		return v.fail(rec.Seq-1, fmt.Sprintf("altered: record %d does not link to its hash", rec.Seq))
	}
	v.last = ChainPoint{Seq: rec.Seq, Hash: rec.Hash}
	return true
}

// Finish compares the last record read with the head and returns the result.
func (v *Verifier) Finish() AuditVerification {
	if v.result.Break == nil {
		head := v.result.Head
		switch {
		case head.Seq > v.last.Seq:
			v.fail(v.last.Seq+1, fmt.Sprintf("missing: the log ends at %d but the head is %d", v.last.Seq, head.Seq))
		case head.Seq < v.last.Seq:
			v.fail(head.Seq+1, fmt.Sprintf("not covered by the head: the head is %d but records run to %d", head.Seq, v.last.Seq))
		case head.Seq > 0 && !bytes.Equal(head.Hash, v.last.Hash):
			v.fail(head.Seq, "altered: hash differs from the recorded head")
		}
	}
	return v.result
}

func (v *Verifier) fail(seq int64, reason string) bool {
	v.result.Break = &ChainBreak{Seq: seq, Reason: reason}
	return false
}
