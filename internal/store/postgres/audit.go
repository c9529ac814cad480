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
	key, range_end, value_size, value_sha256, outcome, error, duration_ns, prev_hash, hash, client_request_id,
	key_size, key_sha256, range_end_size, range_end_sha256, command`

// auditArrays are the parameters $1 to $24 of appendAudit: a batch of linked
// records as one array per column.
func auditArrays(recs []store.AuditRecord) []any {
	n := len(recs)
	var (
		seq, size, dur                                          = make([]int64, n), make([]int64, n), make([]int64, n)
		ts                                                      = make([]time.Time, n)
		reqID, user, tok, role, src, cluster, op, sha, outc, er = texts(n), texts(n), texts(n), texts(n), texts(n), texts(n), texts(n), texts(n), texts(n), texts(n)
		key, rangeEnd, prev, hash                               = make([][]byte, n), make([][]byte, n), make([][]byte, n), make([][]byte, n)
		clientReqID                                             = texts(n)
		keySize, keySHA, endSize, endSHA                        = make([]int64, n), texts(n), make([]int64, n), texts(n)
		command                                                 = texts(n)
	)
	for i := range recs {
		r := &recs[i]
		seq[i], ts[i], reqID[i], user[i], tok[i], role[i] = r.Seq, r.Time, r.RequestID, r.User, r.TokenID, r.Role
		src[i], cluster[i], op[i], key[i], rangeEnd[i] = r.Source, r.Cluster, r.Operation, nonNil(r.Key), nonNil(r.RangeEnd)
		size[i], sha[i], outc[i], er[i], dur[i] = r.ValueSize, r.ValueSHA256, string(r.Outcome), r.Error, int64(r.Duration)
		prev[i], hash[i], clientReqID[i] = r.PrevHash, r.Hash, r.ClientRequestID
		keySize[i], keySHA[i], endSize[i], endSHA[i] = r.KeySize, r.KeySHA256, r.RangeEndSize, r.RangeEndSHA256
		command[i] = r.Command
	}
	return []any{seq, ts, reqID, user, tok, role, src, cluster, op, key, rangeEnd, size, sha, outc, er, dur, prev, hash,
		clientReqID, keySize, keySHA, endSize, endSHA, command}
}

const auditUnnest = `unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
		$7::text[], $8::text[], $9::text[], $10::bytea[], $11::bytea[], $12::bigint[], $13::text[],
		$14::text[], $15::text[], $16::bigint[], $17::bytea[], $18::bytea[], $19::text[],
		$20::bigint[], $21::text[], $22::bigint[], $23::text[], $24::text[])`

// selectTip reads the chain's newest point.
const selectTip = `SELECT seq, hash FROM audit_heads ORDER BY seq DESC LIMIT 1`

// appendAudit is the whole append in one statement (its own transaction, one
// round trip): the batch's head is inserted into audit_heads, only if the tip
// there is still the point ($27, $28) the batch was linked onto and no other
// batch took that point first, and the records only if it was.
const appendAudit = `WITH tip AS (` + selectTip + `), link AS (
	INSERT INTO audit_heads (seq, prev_seq, hash)
	SELECT $25, $27, $26 FROM tip WHERE tip.seq = $27 AND tip.hash = $28
	ON CONFLICT DO NOTHING
	RETURNING 1
)
INSERT INTO audit_log (` + auditColumns + `)
SELECT * FROM ` + auditUnnest + ` WHERE EXISTS (SELECT 1 FROM link)`

// maxLinkAttempts bounds how often one batch is linked again after another
// process appended first.
const maxLinkAttempts = 100

// AppendAudit implements store.AuditLog. Appends from every process share one
// chain through audit_heads, and appends of one Store go one at a time. A
// batch is linked onto the head this Store last wrote, or the tip read from
// audit_heads when another process may have moved it, and sent as one
// statement that writes it only if that is still the tip; when another
// process appended first, it is linked onto the new tip and sent again.
// Nothing is updated in place, so a long-running snapshot elsewhere (a
// backup, a report) does not slow appends down.
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
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	for range maxLinkAttempts {
		if !s.headKnown {
			if err := s.pool.QueryRow(ctx, selectTip).Scan(&s.head.Seq, &s.head.Hash); err != nil {
				return nil, fmt.Errorf("append %d audit records: read chain head: %w", len(out), err)
			}
			s.headKnown = true
		}
		link := s.head
		chain := store.NewChain(link)
		for i := range out {
			chain.Link(&out[i])
		}
		head := chain.Head()
		args := append(auditArrays(out), head.Seq, head.Hash, link.Seq, link.Hash)
		tag, err := s.pool.Exec(ctx, appendAudit, args...)
		switch {
		case err != nil:
			// Perhaps written: the next append reads the tip.
			s.headKnown = false
			return nil, fmt.Errorf("append %d audit records: %w", len(out), err)
		case tag.RowsAffected() == int64(len(out)):
			s.head = head
			return out, nil
		case tag.RowsAffected() != 0:
			s.headKnown = false
			return nil, fmt.Errorf("append %d audit records: %d inserted", len(out), tag.RowsAffected())
		}
		// Another process moved the tip: link again onto the new one.
		s.headKnown = false
	}
	return nil, fmt.Errorf("append %d audit records: other writers moved the chain head %d times in a row",
		len(out), maxLinkAttempts)
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
	if len(f.KeyPrefixes) > 0 {
		// As store.KeyUnderPrefix, in SQL, so that pages stay full and the cursor exact.
		var alts []string
		if f.OrTokenID != "" {
			args = append(args, f.OrTokenID)
			alts = append(alts, "token_id = $"+strconv.Itoa(len(args)))
		}
		for _, p := range f.KeyPrefixes {
			args = append(args, nonNil(p), store.PrefixEnd(p))
			pa, ea := "$"+strconv.Itoa(len(args)-1), "$"+strconv.Itoa(len(args))
			under := func(col string) string {
				return fmt.Sprintf("substring(%s from 1 for octet_length(%s::bytea)) = %s::bytea", col, pa, pa)
			}
			alts = append(alts, fmt.Sprintf("(%s AND (range_end = ''::bytea OR %s OR range_end = %s::bytea))",
				under("key"), under("range_end"), ea))
		}
		where = append(where, "("+strings.Join(alts, " OR ")+")")
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
		if err := tx.QueryRow(ctx, `SELECT anchor_seq, anchor_hash FROM audit_chain WHERE id = 1`).
			Scan(&anchor.Seq, &anchor.Hash); err != nil {
			return fmt.Errorf("read chain anchor: %w", err)
		}
		if err := tx.QueryRow(ctx, selectTip).Scan(&head.Seq, &head.Hash); err != nil {
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
		if err := tx.QueryRow(ctx, `SELECT anchor_seq, anchor_hash FROM audit_chain WHERE id = 1 FOR UPDATE`).
			Scan(&anchor.Seq, &anchor.Hash); err != nil {
			return fmt.Errorf("lock chain anchor: %w", err)
		}
		if err := tx.QueryRow(ctx, selectTip).Scan(&head.Seq, &head.Hash); err != nil {
			return fmt.Errorf("read chain head: %w", err)
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
		// Heads below the anchor are no tip any more (last <= the tip read above).
		if _, err := tx.Exec(ctx, `DELETE FROM audit_heads WHERE seq < $1`, last); err != nil {
			return fmt.Errorf("delete old chain heads: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM audit_checkpoints WHERE seq < $1`, last); err != nil {
			return fmt.Errorf("delete old checkpoints: %w", err)
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
		&r.PrevHash, &r.Hash, &r.ClientRequestID, &r.KeySize, &r.KeySHA256, &r.RangeEndSize, &r.RangeEndSHA256, &r.Command)
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
