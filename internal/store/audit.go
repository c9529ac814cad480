package store

import (
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

// MaxAuditErrorLen is the longest Error text kept; longer text is cut.
const MaxAuditErrorLen = 4096

// AuditRecord is one entry of the audit log. Values are never stored: only
// their size and sha256 (see ValueDigest).
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
	// Key and RangeEnd are raw etcd bytes (etcd keys need not be UTF-8).
	Key         []byte        `json:"key,omitempty"`
	RangeEnd    []byte        `json:"range_end,omitempty"`
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
// made valid UTF-8 without NUL bytes, Error cut to MaxAuditErrorLen.
// Backends call it before chaining; callers may call it to reject a record
// early.
func PrepareAuditRecord(rec AuditRecord, now time.Time) (AuditRecord, error) {
	if rec.Time.IsZero() {
		rec.Time = now
	}
	rec.Time = NormalizeTime(rec.Time)
	for _, s := range []*string{&rec.RequestID, &rec.ClientRequestID, &rec.User, &rec.TokenID, &rec.Role, &rec.Source,
		&rec.Cluster, &rec.Operation, &rec.Error} {
		*s = cleanText(*s)
	}
	if len(rec.Error) > MaxAuditErrorLen {
		cut := MaxAuditErrorLen
		for cut > 0 && !utf8.RuneStart(rec.Error[cut]) {
			cut--
		}
		rec.Error = rec.Error[:cut]
	}
	rec.ValueSHA256 = strings.ToLower(rec.ValueSHA256)
	if len(rec.Key) == 0 {
		rec.Key = nil
	}
	if len(rec.RangeEnd) == 0 {
		rec.RangeEnd = nil
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
		(f.RequestID == "" || rec.RequestID == f.RequestID)
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
