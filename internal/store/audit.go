package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// AuditLog is the append-only, hash-chained record of every operation that
// reached opsproxy, allowed or refused.
//
// Each record's Hash is ChainHash(PrevHash, record), and PrevHash is the
// Hash of the record before it, so editing, removing or reordering stored
// records is found by VerifyAudit. The store also keeps the head (last Seq
// and Hash), which catches a cut tail.
//
// Retention and the chain: PruneAudit deletes only a prefix of the chain
// and, in the same transaction, records the last deleted record's Seq and
// Hash as the anchor; VerifyAudit starts from the anchor, so a pruned log
// still verifies and the first kept record must link to it. Nothing else
// deletes records: on TimescaleDB no drop_chunks retention policy is set,
// because dropping chunks would cut the chain without moving the anchor.
// Someone who can write the database can rewrite the chain and its head
// consistently; package auditseal detects that with signed checkpoints
// (CheckpointStore) and a witness outside the database.
type AuditLog interface {
	// AppendAudit commits recs, in order, in one transaction, and returns them
	// with Seq, PrevHash and Hash set (and Time, when it was zero). It returns
	// only after the commit: a nil error means every record is durable, an error
	// means none is. Concurrent calls are serialised so the chain stays linear.
	AppendAudit(ctx context.Context, recs ...AuditRecord) ([]AuditRecord, error)
	// QueryAudit returns one page of records matching f, ordered by Seq.
	QueryAudit(ctx context.Context, f AuditFilter) (AuditPage, error)
	// VerifyAudit walks the chain from the retention anchor to the head and
	// reports the first altered or missing record.
	VerifyAudit(ctx context.Context) (AuditVerification, error)
	// PruneAudit removes the oldest records whose Time is before cutoff and
	// moves the anchor to the last removed record, so VerifyAudit still
	// proves the remaining chain, and removes the checkpoints below the new
	// anchor. See PruneResult for what "oldest" means.
	PruneAudit(ctx context.Context, cutoff time.Time) (PruneResult, error)
}

// Outcome is what became of an audited request.
type Outcome string

// Outcomes. A mutating operation is recorded twice: OutcomeAttempted before it
// is sent to etcd (and refused if that record cannot be committed), then
// OutcomeSucceeded or OutcomeFailed with the same RequestID.
const (
	OutcomeAttempted Outcome = "attempted"
	OutcomeSucceeded Outcome = "succeeded"
	OutcomeFailed    Outcome = "failed"
	OutcomeDenied    Outcome = "denied"
)

// Valid reports whether o is one of the defined outcomes.
func (o Outcome) Valid() bool {
	switch o {
	case OutcomeAttempted, OutcomeSucceeded, OutcomeFailed, OutcomeDenied:
		return true
	}
	return false
}

// Bounds on what one audit record keeps, so that no caller can grow the log by more than a
// few KiB per request (see PrepareAuditRecord).
const (
	// MaxAuditErrorLen is the longest Error text kept; longer text is cut.
	MaxAuditErrorLen = 4096
	// MaxAuditKeyLen is the longest Key or RangeEnd kept; of a longer one the record keeps
	// this prefix with the whole one's size and sha256 (KeySize, KeySHA256).
	MaxAuditKeyLen = 1024
	// MaxAuditCommandLen is the longest Command kept; longer text is cut.
	MaxAuditCommandLen = 4096
	// MaxAuditTextLen is the longest request id, user, token id, role, source, cluster or
	// operation kept; longer text is cut.
	MaxAuditTextLen = 256
)

// AuditRecord is one entry of the audit log. Values are never stored: only
// their size and sha256 (see ValueDigest). Keys and range ends are stored up
// to MaxAuditKeyLen bytes; a longer one, or one withheld (WithholdKeys), is
// described by its size and sha256 as well.
type AuditRecord struct {
	// Seq is the position in the chain, starting at 1; set by the store.
	Seq int64 `json:"seq"`
	// Time is when the request was received; the store sets it when zero.
	// Kept in UTC with microsecond precision.
	Time time.Time `json:"time"`
	// RequestID is the id opsproxy gave the request (its X-Request-Id answer header).
	RequestID string `json:"request_id"`
	// ClientRequestID is the X-Request-Id the client sent, if any: kept for correlation with
	// the client's logs, never used to find a request (clients may reuse them).
	ClientRequestID string `json:"client_request_id,omitempty"`
	// User is the end user: the Grafana login when a service token acts for
	// one, otherwise the token's name.
	User string `json:"user"`
	// TokenID is the id of the token that authenticated the request.
	TokenID   string `json:"token_id"`
	Role      string `json:"role"`
	Source    string `json:"source"` // client address
	Cluster   string `json:"cluster"`
	Operation string `json:"operation"` // e.g. "put", "delete", "defragment"
	// Command is the console command line the operation ran, with put values redacted (their
	// size and sha256 are ValueSize and ValueSHA256); empty for operations of the REST API.
	Command string `json:"command,omitempty"`
	// Key and RangeEnd are raw etcd bytes (etcd keys need not be UTF-8): the
	// whole key when KeySHA256 is empty, otherwise its first bytes (at most
	// MaxAuditKeyLen, none when withheld).
	Key      []byte `json:"key,omitempty"`
	RangeEnd []byte `json:"range_end,omitempty"`
	// KeySize and KeySHA256 (lower-case hex) describe the whole key when Key
	// does not hold it: it was longer than MaxAuditKeyLen, or withheld. Both
	// are zero when Key is the whole key. RangeEndSize and RangeEndSHA256 do
	// the same for RangeEnd.
	KeySize        int64  `json:"key_size,omitempty"`
	KeySHA256      string `json:"key_sha256,omitempty"`
	RangeEndSize   int64  `json:"range_end_size,omitempty"`
	RangeEndSHA256 string `json:"range_end_sha256,omitempty"`

	ValueSize   int64         `json:"value_size"`
	ValueSHA256 string        `json:"value_sha256,omitempty"` // lower-case hex, empty when no value
	Outcome     Outcome       `json:"outcome"`
	Error       string        `json:"error,omitempty"`
	Duration    time.Duration `json:"duration_ns"`
	// PrevHash is the Hash of record Seq-1 (or of the anchor); set by the store.
	PrevHash []byte `json:"prev_hash"`
	// Hash is ChainHash(PrevHash, record); set by the store.
	Hash []byte `json:"hash"`
}

// ValueDigest returns the size and lower-case hex sha256 of a value, the
// only trace of it an audit record keeps.
func ValueDigest(value []byte) (size int64, sha string) {
	sum := sha256.Sum256(value)
	return int64(len(value)), hex.EncodeToString(sum[:])
}

// WithholdKeys keeps only the size and sha256 of r's key and range end: the
// record of a refused request keeps no key byte its caller chose.
func (r *AuditRecord) WithholdKeys() {
	if len(r.Key) > 0 && r.KeySHA256 == "" {
		r.KeySize, r.KeySHA256 = ValueDigest(r.Key)
	}
	if len(r.RangeEnd) > 0 && r.RangeEndSHA256 == "" {
		r.RangeEndSize, r.RangeEndSHA256 = ValueDigest(r.RangeEnd)
	}
	r.Key, r.RangeEnd = nil, nil
}

// AuditFilter selects audit records. Zero fields do not filter.
type AuditFilter struct {
	From, To  time.Time // From inclusive, To exclusive
	User      string
	Cluster   string
	Operation string
	Outcome   Outcome
	// RequestID selects the records of one request, matched exactly: a
	// mutation has two (attempted, then its outcome), anything else one.
	// No index serves it (each index costs every append), so on a large log
	// give From and To around the request's time as well.
	RequestID string
	// KeyPrefixes, when not empty, keeps only the records whose key lies under
	// one of them (with a range end, if any, that does not reach past it; see
	// KeyUnderPrefix), and the records of OrTokenID. This is the view of a token
	// limited to key prefixes. The stored key is matched: of a key longer than
	// MaxAuditKeyLen its first MaxAuditKeyLen bytes, and a withheld key (a
	// refusal) matches no prefix but the empty one.
	KeyPrefixes [][]byte
	// OrTokenID, with KeyPrefixes, also keeps every record of this token.
	OrTokenID string
	// Limit caps the page size: 0 means DefaultAuditLimit, above
	// MaxAuditLimit is cut to MaxAuditLimit.
	Limit int
	// NewestFirst orders by descending Seq.
	NewestFirst bool
	// Cursor continues a previous query: pass the AuditPage.Next it returned
	// together with the same filter.
	Cursor int64
}

// Page sizes for QueryAudit.
const (
	DefaultAuditLimit = 100
	MaxAuditLimit     = 10000
)

// AuditPage is one page of QueryAudit.
type AuditPage struct {
	Records []AuditRecord `json:"records"`
	// Next is the cursor for the following page, 0 when there is none.
	Next int64 `json:"next,omitempty"`
}

// ChainPoint is a position in the chain: a sequence number and its hash.
// The zero anchor is Seq 0 with GenesisHash.
type ChainPoint struct {
	Seq  int64  `json:"seq"`
	Hash []byte `json:"hash"`
}

// AuditVerification is the outcome of VerifyAudit.
type AuditVerification struct {
	// Anchor is where verification started: the last pruned record, or the
	// genesis point when nothing has been pruned.
	Anchor ChainPoint `json:"anchor"`
	// Head is the last committed record according to the store's head.
	Head ChainPoint `json:"head"`
	// Checked is the number of records read.
	Checked int64 `json:"checked"`
	// Break is the first problem found; nil when the chain is intact.
	Break *ChainBreak `json:"break,omitempty"`
}

// OK reports whether the chain is intact.
func (v AuditVerification) OK() bool { return v.Break == nil }

// ChainBreak names the first altered or missing record.
type ChainBreak struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

func (b *ChainBreak) Error() string { return fmt.Sprintf("audit record %d: %s", b.Seq, b.Reason) }

// PruneResult reports what PruneAudit removed. Pruning removes a prefix of
// the chain: records in Seq order up to (not including) the first one whose
// Time is at or after the cutoff, so the remaining chain stays contiguous
// and verifiable from the new anchor.
type PruneResult struct {
	Removed int64      `json:"removed"`
	Anchor  ChainPoint `json:"anchor"`
}

// PrepareAuditRecords prepares a batch with PrepareAuditRecord, one time for all records that
// carry none; backends call it at the start of AppendAudit.
func PrepareAuditRecords(recs []AuditRecord, now time.Time) ([]AuditRecord, error) {
	out := make([]AuditRecord, len(recs))
	for i, r := range recs {
		p, err := PrepareAuditRecord(r, now)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// PrepareAuditRecord validates rec and puts it in the form that is hashed
// and stored: UTC time with microsecond precision (now when zero), text
// made valid UTF-8 without NUL bytes, Error cut to MaxAuditErrorLen and the
// other text to MaxAuditTextLen, and a key or range end longer than
// MaxAuditKeyLen cut to that with its size and sha256 kept beside it. This
// is the one place records are bounded: every writer goes through it.
// Backends call it before chaining; callers may call it to reject a record
// early.
func PrepareAuditRecord(rec AuditRecord, now time.Time) (AuditRecord, error) {
	if rec.Time.IsZero() {
		rec.Time = now
	}
	rec.Time = NormalizeTime(rec.Time)
	for _, s := range []*string{&rec.RequestID, &rec.ClientRequestID, &rec.User, &rec.TokenID, &rec.Role, &rec.Source,
		&rec.Cluster, &rec.Operation} {
		*s = cutText(cleanText(*s), MaxAuditTextLen)
	}
	rec.Error = cutText(cleanText(rec.Error), MaxAuditErrorLen)
	rec.Command = cutText(cleanText(rec.Command), MaxAuditCommandLen)
	rec.ValueSHA256 = strings.ToLower(rec.ValueSHA256)
	rec.KeySHA256, rec.RangeEndSHA256 = strings.ToLower(rec.KeySHA256), strings.ToLower(rec.RangeEndSHA256)
	rec.Key, rec.KeySize, rec.KeySHA256 = boundKey(rec.Key, rec.KeySize, rec.KeySHA256)
	rec.RangeEnd, rec.RangeEndSize, rec.RangeEndSHA256 = boundKey(rec.RangeEnd, rec.RangeEndSize, rec.RangeEndSHA256)
	if err := checkKeyDigest("key", rec.Key, rec.KeySize, rec.KeySHA256); err != nil {
		return rec, err
	}
	if err := checkKeyDigest("range_end", rec.RangeEnd, rec.RangeEndSize, rec.RangeEndSHA256); err != nil {
		return rec, err
	}
	switch {
	case rec.Operation == "":
		return rec, fmt.Errorf("audit record: operation is empty: %w", ErrInvalid)
	case !rec.Outcome.Valid():
		return rec, fmt.Errorf("audit record: unknown outcome %q: %w", rec.Outcome, ErrInvalid)
	case rec.ValueSize < 0:
		return rec, fmt.Errorf("audit record: negative value size: %w", ErrInvalid)
	case rec.Duration < 0:
		return rec, fmt.Errorf("audit record: negative duration: %w", ErrInvalid)
	case rec.ValueSHA256 != "" && !isHexSHA256(rec.ValueSHA256):
		return rec, fmt.Errorf("audit record: value_sha256 is not 64 hex digits: %w", ErrInvalid)
	}
	rec.Seq, rec.PrevHash, rec.Hash = 0, nil, nil
	return rec, nil
}

// NormalizeTime returns t in UTC with microsecond precision, the precision
// every backend keeps.
func NormalizeTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// ClampAuditLimit applies DefaultAuditLimit and MaxAuditLimit.
func ClampAuditLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultAuditLimit
	case n > MaxAuditLimit:
		return MaxAuditLimit
	}
	return n
}

// ValidateAuditFilter rejects filters no backend can answer.
func ValidateAuditFilter(f AuditFilter) error {
	if f.Outcome != "" && !f.Outcome.Valid() {
		return fmt.Errorf("audit filter: unknown outcome %q: %w", f.Outcome, ErrInvalid)
	}
	if f.Cursor < 0 {
		return fmt.Errorf("audit filter: negative cursor: %w", ErrInvalid)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return fmt.Errorf("audit filter: from must be before to: %w", ErrInvalid)
	}
	return nil
}

// Match reports whether rec passes f's field and time filters (not the
// cursor or limit). Backends without a query language use it.
func (f AuditFilter) Match(rec *AuditRecord) bool {
	return (f.From.IsZero() || !rec.Time.Before(f.From)) &&
		(f.To.IsZero() || rec.Time.Before(f.To)) &&
		(f.User == "" || rec.User == f.User) &&
		(f.Cluster == "" || rec.Cluster == f.Cluster) &&
		(f.Operation == "" || rec.Operation == f.Operation) &&
		(f.Outcome == "" || rec.Outcome == f.Outcome) &&
		(f.RequestID == "" || rec.RequestID == f.RequestID) &&
		f.matchKeyScope(rec)
}

// matchKeyScope applies KeyPrefixes and OrTokenID.
func (f AuditFilter) matchKeyScope(rec *AuditRecord) bool {
	if len(f.KeyPrefixes) == 0 || (f.OrTokenID != "" && rec.TokenID == f.OrTokenID) {
		return true
	}
	for _, p := range f.KeyPrefixes {
		if KeyUnderPrefix(rec.Key, rec.RangeEnd, p) {
			return true
		}
	}
	return false
}

// KeyUnderPrefix reports whether a record's key starts with prefix and its range end, if
// any, does too or is the end of the prefix's range (PrefixEnd): the record is of keys under
// prefix only.
func KeyUnderPrefix(key, end, prefix []byte) bool {
	return bytes.HasPrefix(key, prefix) &&
		(len(end) == 0 || bytes.HasPrefix(end, prefix) || bytes.Equal(end, PrefixEnd(prefix)))
}

// PrefixEnd is the range end of every key starting with prefix, as etcd computes it: prefix
// with its last byte below 0xff incremented and what follows it dropped; "\x00" (to the end of
// the keyspace) when there is none.
func PrefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return []byte{0}
}

// boundKey cuts a key longer than MaxAuditKeyLen to that prefix (a copy, so
// the long key is not kept alive) and describes the whole key by its size and
// sha256, unless the caller described it already.
func boundKey(key []byte, size int64, sha string) ([]byte, int64, string) {
	if len(key) > MaxAuditKeyLen {
		if sha == "" {
			size, sha = ValueDigest(key)
		}
		key = bytes.Clone(key[:MaxAuditKeyLen])
	}
	if len(key) == 0 {
		key = nil
	}
	return key, size, sha
}

// checkKeyDigest rejects a size or digest that cannot describe key.
func checkKeyDigest(field string, key []byte, size int64, sha string) error {
	switch {
	case sha == "" && size != 0:
		return fmt.Errorf("audit record: %s_size without %s_sha256: %w", field, field, ErrInvalid)
	case sha != "" && !isHexSHA256(sha):
		return fmt.Errorf("audit record: %s_sha256 is not 64 hex digits: %w", field, ErrInvalid)
	case sha != "" && size < int64(len(key)):
		return fmt.Errorf("audit record: %s_size %d is below the %d bytes kept: %w", field, size, len(key), ErrInvalid)
	}
	return nil
}

// cutText cuts s to at most n bytes without splitting a UTF-8 sequence.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func cleanText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
