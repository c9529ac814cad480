package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

const auditColumns = `seq, time, request_id, user_name, token_id, role, source, cluster, operation,
	key, range_end, value_size, value_sha256, outcome, error, duration_ns, prev_hash, hash`

// auditArrays are the parameters $1 to $18 of insertAudit and appendAudit:
// a batch of linked records as one array per column.
func auditArrays(recs []store.AuditRecord) []any {
	n := len(recs)
	var (
		seq, size, dur                                          = make([]int64, n), make([]int64, n), make([]int64, n)
		ts                                                      = make([]time.Time, n)
		reqID, user, tok, role, src, cluster, op, sha, outc, er = texts(n), texts(n), texts(n), texts(n), texts(n), texts(n), texts(n), texts(n), texts(n), texts(n)
		key, rangeEnd, prev, hash                               = make([][]byte, n), make([][]byte, n), make([][]byte, n), make([][]byte, n)
	)
	for i := range recs {
		r := &recs[i]
		seq[i], ts[i], reqID[i], user[i], tok[i], role[i] = r.Seq, r.Time, r.RequestID, r.User, r.TokenID, r.Role
		src[i], cluster[i], op[i], key[i], rangeEnd[i] = r.Source, r.Cluster, r.Operation, nonNil(r.Key), nonNil(r.RangeEnd)
		size[i], sha[i], outc[i], er[i], dur[i] = r.ValueSize, r.ValueSHA256, string(r.Outcome), r.Error, int64(r.Duration)
		prev[i], hash[i] = r.PrevHash, r.Hash
	}
	return []any{seq, ts, reqID, user, tok, role, src, cluster, op, key, rangeEnd, size, sha, outc, er, dur, prev, hash}
}

const auditUnnest = `unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
		$7::text[], $8::text[], $9::text[], $10::bytea[], $11::bytea[], $12::bigint[], $13::text[],
		$14::text[], $15::text[], $16::bigint[], $17::bytea[], $18::bytea[])`

// insertAudit inserts a whole batch as arrays in one statement and moves
// the head in the same statement, inside a transaction that holds the
// audit_chain row lock.
const insertAudit = `WITH ins AS (
	INSERT INTO audit_log (` + auditColumns + `)
	SELECT * FROM ` + auditUnnest + `
)
UPDATE audit_chain SET head_seq = $19, head_hash = $20 WHERE id = 1`

// appendAudit is the whole append in one statement, sent on its own (its
// own transaction, one round trip): the UPDATE takes the audit_chain row
// lock and moves the head only if it is still the one ($21, $22) the batch
// was linked onto, and the rows are inserted only if it did. When another
// append moved the head first (waiting on the row lock, then re-checking
// the row), nothing is written.
const appendAudit = `WITH head AS (
	UPDATE audit_chain SET head_seq = $19, head_hash = $20
	WHERE id = 1 AND head_seq = $21 AND head_hash = $22
	RETURNING 1
)
INSERT INTO audit_log (` + auditColumns + `)
SELECT * FROM ` + auditUnnest + ` WHERE EXISTS (SELECT 1 FROM head)`

// AppendAudit implements store.AuditLog. Appends from every process share
// one chain through the audit_chain row. A batch is linked onto the head
// this Store last wrote and sent as one statement that writes only if that
// is still the head; otherwise (another process appended, or a batch before
// it failed) it is linked again inside a transaction that locks the row
// and reads the head first.
func (s *Store) AppendAudit(ctx context.Context, recs ...store.AuditRecord) ([]store.AuditRecord, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("append audit: %w", err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	out, err := store.PrepareAuditRecords(recs, time.Now())
	if err != nil {
		return nil, err
	}
	s.headMu.Lock()
	head, known := s.head, s.headKnown
	if known {
		chain := store.NewChain(head)
		for i := range out {
			chain.Link(&out[i])
		}
		s.head = chain.Head()
	}
	s.headMu.Unlock()
	if known {
		args := append(auditArrays(out), out[len(out)-1].Seq, out[len(out)-1].Hash, head.Seq, head.Hash)
		tag, err := s.pool.Exec(ctx, appendAudit, args...)
		switch {
		case err != nil:
			s.forgetHead()
			return nil, fmt.Errorf("append %d audit records: %w", len(out), err)
		case tag.RowsAffected() == int64(len(out)):
			return out, nil
		case tag.RowsAffected() != 0:
			s.forgetHead()
			return nil, fmt.Errorf("append %d audit records: %d inserted", len(out), tag.RowsAffected())
		}
		s.forgetHead()
	}
	return s.appendLocked(ctx, out)
}

// appendLocked links prepared records onto the head read under the
// audit_chain row lock and inserts them in the same transaction.
func (s *Store) appendLocked(ctx context.Context, out []store.AuditRecord) ([]store.AuditRecord, error) {
	var h store.ChainPoint
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var head store.ChainPoint
		if err := tx.QueryRow(ctx, `SELECT head_seq, head_hash FROM audit_chain WHERE id = 1 FOR UPDATE`).
			Scan(&head.Seq, &head.Hash); err != nil {
			return fmt.Errorf("lock chain head: %w", err)
		}
		chain := store.NewChain(head)
		for i := range out {
			chain.Link(&out[i])
		}
		h = chain.Head()
		if _, err := tx.Exec(ctx, insertAudit, append(auditArrays(out), h.Seq, h.Hash)...); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("append %d audit records: %w", len(out), err)
	}
	s.headMu.Lock()
	if !s.headKnown || h.Seq > s.head.Seq {
		s.head, s.headKnown = h, true
	}
	s.headMu.Unlock()
	return out, nil
}

// forgetHead makes the next append read the head under the row lock.
func (s *Store) forgetHead() {
	s.headMu.Lock()
	s.headKnown = false
	s.headMu.Unlock()
}

// QueryAudit implements store.AuditLog.
func (s *Store) QueryAudit(ctx context.Context, f store.AuditFilter) (store.AuditPage, error) {
	if err := s.check(); err != nil {
		return store.AuditPage{}, fmt.Errorf("query audit: %w", err)
	}
	if err := store.ValidateAuditFilter(f); err != nil {
		return store.AuditPage{}, err
	}
	limit := store.ClampAuditLimit(f.Limit)
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if !f.From.IsZero() {
		add("time >= ?", f.From)
	}
	if !f.To.IsZero() {
		add("time < ?", f.To)
	}
	if f.User != "" {
		add("user_name = ?", f.User)
	}
	if f.Cluster != "" {
		add("cluster = ?", f.Cluster)
	}
	if f.Operation != "" {
		add("operation = ?", f.Operation)
	}
	if f.Outcome != "" {
		add("outcome = ?", string(f.Outcome))
	}
	if f.RequestID != "" {
		add("request_id = ?", f.RequestID)
	}
	order := "ASC"
	if f.NewestFirst {
		order = "DESC"
		if f.Cursor > 0 {
			add("seq < ?", f.Cursor)
		}
	} else if f.Cursor > 0 {
		add("seq > ?", f.Cursor)
	}
	sql := "SELECT " + auditColumns + " FROM audit_log"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += fmt.Sprintf(" ORDER BY seq %s LIMIT %d", order, limit+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return store.AuditPage{}, fmt.Errorf("query audit: %w", err)
	}
	recs, err := pgx.CollectRows(rows, scanAudit)
	if err != nil {
		return store.AuditPage{}, fmt.Errorf("query audit: %w", err)
	}
	page := store.AuditPage{Records: recs}
	if len(recs) > limit {
		page.Records = recs[:limit]
		page.Next = recs[limit-1].Seq
	}
	return page, nil
}

// VerifyAudit implements store.AuditLog. It reads the chain row and the
// records from one repeatable-read snapshot, streaming the records.
func (s *Store) VerifyAudit(ctx context.Context) (store.AuditVerification, error) {
	if err := s.check(); err != nil {
		return store.AuditVerification{}, fmt.Errorf("verify audit: %w", err)
	}
	var res store.AuditVerification
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var head, anchor store.ChainPoint
		if err := tx.QueryRow(ctx, `SELECT head_seq, head_hash, anchor_seq, anchor_hash FROM audit_chain WHERE id = 1`).
			Scan(&head.Seq, &head.Hash, &anchor.Seq, &anchor.Hash); err != nil {
			return fmt.Errorf("read chain head: %w", err)
		}
		v := store.NewVerifier(anchor, head)
		rows, err := tx.Query(ctx, "SELECT "+auditColumns+" FROM audit_log WHERE seq > $1 ORDER BY seq", anchor.Seq)
		if err != nil {
			return fmt.Errorf("read audit log: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			rec, err := scanAudit(rows)
			if err != nil {
				return fmt.Errorf("read audit log: %w", err)
			}
			if !v.Next(&rec) {
				break
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read audit log: %w", err)
		}
		res = v.Finish()
		return nil
	})
	if err != nil {
		return store.AuditVerification{}, fmt.Errorf("verify audit: %w", err)
	}
	return res, nil
}

// PruneAudit implements store.AuditLog: it deletes the prefix of the chain
// older than cutoff and moves the anchor in the same transaction.
func (s *Store) PruneAudit(ctx context.Context, cutoff time.Time) (store.PruneResult, error) {
	if err := s.check(); err != nil {
		return store.PruneResult{}, fmt.Errorf("prune audit: %w", err)
	}
	var res store.PruneResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var head, anchor store.ChainPoint
		if err := tx.QueryRow(ctx, `SELECT head_seq, head_hash, anchor_seq, anchor_hash FROM audit_chain WHERE id = 1 FOR UPDATE`).
			Scan(&head.Seq, &head.Hash, &anchor.Seq, &anchor.Hash); err != nil {
			return fmt.Errorf("lock chain head: %w", err)
		}
		res.Anchor = anchor
		var keep *int64
		if err := tx.QueryRow(ctx, `SELECT min(seq) FROM audit_log WHERE seq > $1 AND time >= $2`, anchor.Seq, cutoff).
			Scan(&keep); err != nil {
			return fmt.Errorf("find first record to keep: %w", err)
		}
		last := head.Seq
		if keep != nil {
			last = *keep - 1
		}
		if last <= anchor.Seq {
			return nil
		}
		var lastHash []byte
		err := tx.QueryRow(ctx, `SELECT hash FROM audit_log WHERE seq = $1`, last).Scan(&lastHash)
		if err != nil {
			return fmt.Errorf("read record %d, the new anchor (verify the log): %w", last, err)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM audit_log WHERE seq <= $1`, last)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE audit_chain SET anchor_seq = $1, anchor_hash = $2 WHERE id = 1`, last, lastHash); err != nil {
			return fmt.Errorf("move anchor: %w", err)
		}
		res = store.PruneResult{Removed: tag.RowsAffected(), Anchor: store.ChainPoint{Seq: last, Hash: lastHash}}
		return nil
	})
	if err != nil {
		return store.PruneResult{}, fmt.Errorf("prune audit: %w", err)
	}
	return res, nil
}

func scanAudit(row pgx.CollectableRow) (store.AuditRecord, error) {
	var r store.AuditRecord
	var outcome string
	var dur int64
	err := row.Scan(&r.Seq, &r.Time, &r.RequestID, &r.User, &r.TokenID, &r.Role, &r.Source, &r.Cluster,
		&r.Operation, &r.Key, &r.RangeEnd, &r.ValueSize, &r.ValueSHA256, &outcome, &r.Error, &dur,
		&r.PrevHash, &r.Hash)
	r.Outcome, r.Duration, r.Time = store.Outcome(outcome), time.Duration(dur), r.Time.UTC()
	if len(r.Key) == 0 {
		r.Key = nil
	}
	if len(r.RangeEnd) == 0 {
		r.RangeEnd = nil
	}
	return r, err
}

func texts(n int) []string { return make([]string, n) }

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
