package auditquery

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// auditFilter reads the query of GET /audit. A token limited to clusters sees only their
// records; a token limited to key prefixes sees only the records of keys under them and its
// own (store.AuditFilter.KeyPrefixes).
func auditFilter(q url.Values, p *core.Principal) (store.AuditFilter, error) {
	var f store.AuditFilter
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(t.name); v != "" {
			ts, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return f, apihttp.Errorf(http.StatusBadRequest, "%s: want an RFC 3339 time such as 2026-01-02T15:04:05Z", t.name)
			}
			*t.dst = ts
		}
	}
	f.User, f.Cluster, f.Operation = q.Get("user"), q.Get("cluster"), q.Get("operation")
	if f.RequestID = q.Get("request_id"); f.RequestID != "" && !apihttp.ValidRequestID(f.RequestID) {
		return f, apihttp.Errorf(http.StatusBadRequest, "request_id: want the %s of a request (up to 64 letters, digits, '-', '_' or '.')", apihttp.RequestIDHeader)
	}
	f.Outcome = store.Outcome(q.Get("outcome"))
	if f.Outcome != "" && !f.Outcome.Valid() {
		return f, apihttp.Errorf(http.StatusBadRequest, "outcome: want attempted, succeeded, failed or denied")
	}
	limit, err := apihttp.QueryInt(q, "limit", 0)
	if err != nil {
		return f, err
	}
	if limit > store.MaxAuditLimit {
		return f, apihttp.Errorf(http.StatusBadRequest, "limit: at most %d", store.MaxAuditLimit)
	}
	f.Limit = int(limit)
	if f.Cursor, err = apihttp.QueryInt(q, "cursor", 0); err != nil {
		return f, err
	}
	switch q.Get("order") {
	case "", "asc":
	case "desc":
		f.NewestFirst = true
	default:
		return f, apihttp.Errorf(http.StatusBadRequest, "order: want asc or desc")
	}
	if err := store.ValidateAuditFilter(f); err != nil {
		return f, apihttp.Errorf(http.StatusBadRequest, "%s", strings.TrimSuffix(strings.TrimPrefix(err.Error(), "audit filter: "), ": "+store.ErrInvalid.Error()))
	}
	if f.Cluster, err = p.ListCluster(f.Cluster, "audit records"); err != nil {
		return f, err
	}
	if len(p.KeyPrefixes) > 0 {
		for _, prefix := range p.KeyPrefixes {
			f.KeyPrefixes = append(f.KeyPrefixes, []byte(prefix))
		}
		f.OrTokenID = p.Token.ID
	}
	return f, nil
}

// queryAudit answers one page of the audit log as JSON, or, with format=csv (or Accept:
// text/csv), every matching record as CSV.
func (s *api) queryAudit(c *core.Call) (any, error) {
	q := c.R.URL.Query()
	f, err := auditFilter(q, c.P)
	if err != nil {
		return nil, err
	}
	format := q.Get("format")
	if format == "" && strings.Contains(c.R.Header.Get("Accept"), "text/csv") {
		format = "csv"
	}
	switch format {
	case "", "json":
		page, err := s.Store.QueryAudit(c.R.Context(), f)
		if err != nil {
			return nil, apihttp.StoreError("query audit log", err)
		}
		if page.Records == nil {
			page.Records = []store.AuditRecord{}
		}
		return page, nil
	case "csv":
		return nil, s.exportAuditCSV(c, f)
	}
	return nil, apihttp.Errorf(http.StatusBadRequest, "format: want json or csv")
}

// CSVHeader names the CSV columns; keys that are not UTF-8 are written as "base64:<...>". The
// key digest columns and then the console command come last, so that readers of the earlier columns by position still work.
var CSVHeader = []string{"seq", "time", "request_id", "user", "token_id", "role", "source", "cluster", "operation",
	"key", "range_end", "value_size", "value_sha256", "outcome", "error", "duration_ns", "prev_hash", "hash",
	"client_request_id", "key_size", "key_sha256", "range_end_size", "range_end_sha256", "command"}

func csvBytes(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return "base64:" + base64.StdEncoding.EncodeToString(b)
}

func (s *api) exportAuditCSV(c *core.Call, f store.AuditFilter) error {
	f.Limit = store.MaxAuditLimit
	page, err := s.Store.QueryAudit(c.R.Context(), f)
	if err != nil {
		return apihttp.StoreError("query audit log", err)
	}
	c.W.Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.W.Header().Set("Content-Disposition", `attachment; filename="audit.csv"`)
	c.W.WriteHeader(http.StatusOK)
	c.Streamed = true
	w := csv.NewWriter(c.W)
	_ = w.Write(CSVHeader)
	for {
		for _, r := range page.Records {
			_ = w.Write([]string{strconv.FormatInt(r.Seq, 10), r.Time.Format(time.RFC3339Nano), r.RequestID, r.User, r.TokenID,
				r.Role, r.Source, r.Cluster, r.Operation, csvBytes(r.Key), csvBytes(r.RangeEnd), strconv.FormatInt(r.ValueSize, 10),
				r.ValueSHA256, string(r.Outcome), r.Error, strconv.FormatInt(int64(r.Duration), 10),
				hex.EncodeToString(r.PrevHash), hex.EncodeToString(r.Hash), r.ClientRequestID,
				strconv.FormatInt(r.KeySize, 10), r.KeySHA256, strconv.FormatInt(r.RangeEndSize, 10), r.RangeEndSHA256, r.Command})
		}
		w.Flush()
		if err := w.Error(); err != nil || page.Next == 0 {
			return err
		}
		f.Cursor = page.Next
		if page, err = s.Store.QueryAudit(c.R.Context(), f); err != nil {
			return fmt.Errorf("query audit log: %w", err)
		}
	}
}

// verifyAudit walks the hash chain and reports the first altered or missing record.
func (s *api) verifyAudit(c *core.Call) (any, error) {
	v, err := s.log.Verify(c.R.Context())
	if err != nil {
		return nil, apihttp.StoreError("verify audit log", err)
	}
	return v, nil
}
