package keys

import (
	"net/http"
	"unicode/utf8"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// KV is a key-value pair. Keys and values that are valid UTF-8 are given as text (key,
// value), others (or all, with encoding=base64) as base64 (key_base64, value_base64).
type KV struct {
	Key            *string `json:"key,omitempty"`
	KeyBase64      []byte  `json:"key_base64,omitempty"`
	Value          *string `json:"value,omitempty"`
	ValueBase64    []byte  `json:"value_base64,omitempty"`
	CreateRevision int64   `json:"create_revision"`
	ModRevision    int64   `json:"mod_revision"`
	Version        int64   `json:"version"`
	Lease          int64   `json:"lease,omitempty"`
}

func kvOf(in *mvccpb.KeyValue, keysOnly, forceBase64 bool) KV {
	out := KV{CreateRevision: in.CreateRevision, ModRevision: in.ModRevision, Version: in.Version, Lease: in.Lease}
	if !forceBase64 && utf8.Valid(in.Key) {
		k := string(in.Key)
		out.Key = &k
	} else {
		out.KeyBase64 = in.Key
	}
	if keysOnly {
		return out
	}
	if !forceBase64 && utf8.Valid(in.Value) {
		v := string(in.Value)
		out.Value = &v
	} else {
		out.ValueBase64 = in.Value
		if out.ValueBase64 == nil {
			out.ValueBase64 = []byte{}
		}
	}
	return out
}

func kvsOf(in []*mvccpb.KeyValue, keysOnly, forceBase64 bool) []KV {
	out := make([]KV, 0, len(in))
	for _, k := range in {
		out = append(out, kvOf(k, keysOnly, forceBase64))
	}
	return out
}

// GetResponse answers a read.
type GetResponse struct {
	Header apihttp.Header `json:"header"`
	KVs    []KV           `json:"kvs"`
	Count  int64          `json:"count"`
	More   bool           `json:"more"`
	// Continue, when set, is passed back as `continue` (with the same range) for the next page.
	Continue string `json:"continue,omitempty"`
}

var sortTargets = map[string]clientv3.SortTarget{
	"key": clientv3.SortByKey, "version": clientv3.SortByVersion, "create": clientv3.SortByCreateRevision,
	"mod": clientv3.SortByModRevision, "value": clientv3.SortByValue,
}

// getKeys reads a key, a prefix or a range.
func (s *api) getKeys(c *core.Call) (any, error) {
	q := c.R.URL.Query()
	kr, err := keyRangeOf(c, q)
	if err != nil {
		return nil, err
	}
	forceBase64, err := queryEncoding(q)
	if err != nil {
		return nil, err
	}
	limit, err := apihttp.QueryInt(q, "limit", 0)
	if err != nil {
		return nil, err
	}
	rev, err := apihttp.QueryInt(q, "revision", 0)
	if err != nil {
		return nil, err
	}
	keysOnly, err := apihttp.QueryBool(q, "keys_only")
	if err != nil {
		return nil, err
	}
	countOnly, err := apihttp.QueryBool(q, "count_only")
	if err != nil {
		return nil, err
	}
	serializable, err := apihttp.QueryBool(q, "serializable")
	if err != nil {
		return nil, err
	}
	if limit > s.Config().Limits.MaxRangeLimit {
		return nil, apihttp.Errorf(http.StatusBadRequest, "limit: at most %d", s.Config().Limits.MaxRangeLimit)
	}
	if limit == 0 && !kr.single() && !countOnly {
		limit = s.Config().Limits.DefaultRangeLimit
	}
	target, order := clientv3.SortByKey, clientv3.SortNone
	if v := q.Get("sort_target"); v != "" {
		t, ok := sortTargets[v]
		if !ok {
			return nil, apihttp.Errorf(http.StatusBadRequest, "sort_target: want key, version, create, mod or value")
		}
		target, order = t, clientv3.SortAscend
	}
	switch q.Get("sort_order") {
	case "":
	case "ascend":
		order = clientv3.SortAscend
	case "descend":
		order = clientv3.SortDescend
	default:
		return nil, apihttp.Errorf(http.StatusBadRequest, "sort_order: want ascend or descend")
	}
	pageable := target == clientv3.SortByKey && order != clientv3.SortDescend && !kr.single() && !countOnly
	start := kr.key
	if tok := q.Get("continue"); tok != "" {
		if !pageable {
			return nil, apihttp.Errorf(http.StatusBadRequest, "continue: only for ranges read in ascending key order")
		}
		cont, err := decodeContinuation(tok, kr)
		if err != nil {
			return nil, err
		}
		if rev != 0 && rev != cont.revision {
			return nil, apihttp.Errorf(http.StatusBadRequest, "revision: differs from the revision of the continue token")
		}
		start, rev = cont.next, cont.revision
	}
	opts := append(keyRange{key: start, end: kr.end}.options(), clientv3.WithLimit(limit), clientv3.WithRev(rev))
	if order != clientv3.SortNone {
		opts = append(opts, clientv3.WithSort(target, order))
	}
	if keysOnly {
		opts = append(opts, clientv3.WithKeysOnly())
	}
	if countOnly {
		opts = append(opts, clientv3.WithCountOnly())
	}
	if serializable {
		opts = append(opts, clientv3.WithSerializable())
	}
	ctx, cancel := c.Cluster.RequestCtx(c.R.Context())
	defer cancel()
	var resp *clientv3.GetResponse
	if kr.single() && !countOnly {
		var res conns.OpResult
		res, err = c.Cluster.Reads().Do(ctx, c.Cli, clientv3.OpGet(string(start), opts...))
		resp = res.Get
	} else {
		resp, err = c.Cli.Get(ctx, string(start), opts...)
	}
	if err != nil {
		return nil, err
	}
	out := GetResponse{Header: apihttp.HeaderOf(resp.Header), KVs: kvsOf(resp.Kvs, keysOnly, forceBase64), Count: resp.Count, More: resp.More}
	if resp.More && pageable && len(resp.Kvs) > 0 {
		last := resp.Kvs[len(resp.Kvs)-1].Key
		readAt := rev
		if readAt == 0 {
			readAt = resp.Header.Revision
		}
		out.Continue = encodeContinuation(continuation{next: append(append([]byte{}, last...), 0), revision: readAt})
	}
	return out, nil
}

func queryEncoding(q interface{ Get(string) string }) (bool, error) {
	switch q.Get("encoding") {
	case "", "text":
		return false, nil
	case "base64":
		return true, nil
	}
	return false, apihttp.Errorf(http.StatusBadRequest, "encoding: want text or base64")
}

// putRequest is the body of PUT /keys. The key and the value are given as text or base64.
type putRequest struct {
	Key         *string `json:"key"`
	KeyBase64   *[]byte `json:"key_base64"`
	Value       *string `json:"value"`
	ValueBase64 *[]byte `json:"value_base64"`
	Lease       int64   `json:"lease"`
	PrevKV      bool    `json:"prev_kv"`
}

// pickBytes takes a field given as text or as base64, exactly one of the two.
func pickBytes(name string, text *string, b64 *[]byte) ([]byte, error) {
	switch {
	case text != nil && b64 != nil:
		return nil, apihttp.Errorf(http.StatusBadRequest, "%s: set either %s or %s_base64, not both", name, name, name)
	case text != nil:
		return []byte(*text), nil
	case b64 != nil:
		if *b64 == nil {
			return []byte{}, nil
		}
		return *b64, nil
	}
	return nil, apihttp.Errorf(http.StatusBadRequest, "%s: required (%s or %s_base64)", name, name, name)
}

// maxBody is the largest request body accepted for a write: the value may be base64-encoded
// or escaped.
func (s *api) maxBody() int64 { return int64(s.Config().Limits.MaxRequestBytes)*2 + 64<<10 }

// checkSize refuses (413) a key and value etcd would refuse as too large.
func (s *api) checkSize(key, value []byte) error {
	if n := len(key) + len(value); n+conns.RequestOverhead > s.Config().Limits.MaxRequestBytes {
		return apihttp.Errorf(http.StatusRequestEntityTooLarge, "key and value are %d bytes: etcd accepts at most %d per request (max_request_bytes %d)",
			n, s.Config().Limits.MaxRequestBytes-conns.RequestOverhead, s.Config().Limits.MaxRequestBytes)
	}
	return nil
}

// decodePut reads and checks the body of a put.
func (s *api) decodePut(r *http.Request) (key, value []byte, req putRequest, err error) {
	if err := apihttp.DecodeJSON(r, &req, s.maxBody()); err != nil {
		return nil, nil, req, err
	}
	key, err = pickBytes("key", req.Key, req.KeyBase64)
	if err != nil {
		return nil, nil, req, err
	}
	if len(key) == 0 {
		return nil, nil, req, apihttp.Errorf(http.StatusBadRequest, "key: must not be empty")
	}
	value, err = pickBytes("value", req.Value, req.ValueBase64)
	if err != nil {
		return nil, nil, req, err
	}
	if req.Lease < 0 {
		return nil, nil, req, apihttp.Errorf(http.StatusBadRequest, "lease: must not be negative")
	}
	return key, value, req, nil
}

// putKey writes one key.
func (s *api) putKey(c *core.Call) (any, error) {
	key, value, req, err := s.decodePut(c.R)
	if err != nil {
		return nil, err
	}
	c.Rec.Key = key
	c.Rec.ValueSize, c.Rec.ValueSHA256 = store.ValueDigest(value)
	if err := c.P.RequireWrite(key, nil); err != nil {
		return nil, err
	}
	if err := s.checkSize(key, value); err != nil {
		return nil, err
	}
	var opts []clientv3.OpOption
	if req.Lease != 0 {
		opts = append(opts, clientv3.WithLease(clientv3.LeaseID(req.Lease)))
	}
	if req.PrevKV {
		opts = append(opts, clientv3.WithPrevKV())
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	ctx, cancel := c.Cluster.RequestCtx(c.R.Context())
	defer cancel()
	var resp *clientv3.PutResponse
	if c.Cluster.Writes() != nil {
		var res conns.OpResult
		res, err = c.Cluster.Writes().Do(ctx, c.Cli, clientv3.OpPut(string(key), string(value), opts...))
		resp = res.Put
	} else {
		resp, err = c.Cli.Put(ctx, string(key), string(value), opts...)
	}
	if err != nil {
		return nil, err
	}
	out := struct {
		Header apihttp.Header `json:"header"`
		PrevKV *KV            `json:"prev_kv,omitempty"`
	}{Header: apihttp.HeaderOf(resp.Header)}
	if resp.PrevKv != nil {
		p := kvOf(resp.PrevKv, false, false)
		out.PrevKV = &p
	}
	return out, nil
}

// deleteKeys deletes a key, a prefix or a range.
func (s *api) deleteKeys(c *core.Call) (any, error) {
	q := c.R.URL.Query()
	kr, err := keyRangeOf(c, q)
	if err != nil {
		return nil, err
	}
	prevKV, err := apihttp.QueryBool(q, "prev_kv")
	if err != nil {
		return nil, err
	}
	if err := c.P.RequireWrite(kr.key, kr.end); err != nil {
		return nil, err
	}
	opts := kr.options()
	if prevKV {
		opts = append(opts, clientv3.WithPrevKV())
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	ctx, cancel := c.Cluster.RequestCtx(c.R.Context())
	defer cancel()
	resp, err := c.Cli.Delete(ctx, string(kr.key), opts...)
	if err != nil {
		return nil, err
	}
	return struct {
		Header  apihttp.Header `json:"header"`
		Deleted int64          `json:"deleted"`
		PrevKVs []KV           `json:"prev_kvs,omitempty"`
	}{Header: apihttp.HeaderOf(resp.Header), Deleted: resp.Deleted, PrevKVs: kvsOf(resp.PrevKvs, false, false)}, nil
}

// casRequest is the body of POST /keys/cas: put (or delete) key only if its mod revision is
// still ModRevision (0: only if the key does not exist).
type casRequest struct {
	Key         *string `json:"key"`
	KeyBase64   *[]byte `json:"key_base64"`
	ModRevision *int64  `json:"mod_revision"`
	Value       *string `json:"value"`
	ValueBase64 *[]byte `json:"value_base64"`
	Delete      bool    `json:"delete"`
	Lease       int64   `json:"lease"`
}

// compareAndSwap is a transaction on one key's mod revision. A lost race is a 409 naming the
// key's current mod revision.
func (s *api) compareAndSwap(c *core.Call) (any, error) {
	var req casRequest
	if err := apihttp.DecodeJSON(c.R, &req, s.maxBody()); err != nil {
		return nil, err
	}
	key, err := pickBytes("key", req.Key, req.KeyBase64)
	if err != nil {
		return nil, err
	}
	if len(key) == 0 {
		return nil, apihttp.Errorf(http.StatusBadRequest, "key: must not be empty")
	}
	c.Rec.Key = key
	if req.ModRevision == nil || *req.ModRevision < 0 {
		return nil, apihttp.Errorf(http.StatusBadRequest, "mod_revision: required, 0 or more (0: the key must not exist)")
	}
	var value []byte
	if req.Delete {
		if req.Value != nil || req.ValueBase64 != nil || req.Lease != 0 {
			return nil, apihttp.Errorf(http.StatusBadRequest, "delete: no value or lease with delete")
		}
	} else {
		if value, err = pickBytes("value", req.Value, req.ValueBase64); err != nil {
			return nil, err
		}
		c.Rec.ValueSize, c.Rec.ValueSHA256 = store.ValueDigest(value)
	}
	if req.Lease < 0 {
		return nil, apihttp.Errorf(http.StatusBadRequest, "lease: must not be negative")
	}
	if err := c.P.RequireWrite(key, nil); err != nil {
		return nil, err
	}
	if err := s.checkSize(key, value); err != nil {
		return nil, err
	}
	then := clientv3.OpDelete(string(key))
	if !req.Delete {
		var opts []clientv3.OpOption
		if req.Lease != 0 {
			opts = append(opts, clientv3.WithLease(clientv3.LeaseID(req.Lease)))
		}
		then = clientv3.OpPut(string(key), string(value), opts...)
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	ctx, cancel := c.Cluster.RequestCtx(c.R.Context())
	defer cancel()
	resp, err := c.Cli.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(string(key)), "=", *req.ModRevision)).
		Then(then).
		Else(clientv3.OpGet(string(key), clientv3.WithKeysOnly())).
		Commit()
	if err != nil {
		return nil, err
	}
	if !resp.Succeeded {
		current := int64(0)
		if rr := resp.Responses[0].GetResponseRange(); rr != nil && len(rr.Kvs) > 0 {
			current = rr.Kvs[0].ModRevision
		}
		return nil, apihttp.Errorf(http.StatusConflict, "compare failed: mod_revision of the key is %d, not %d", current, *req.ModRevision)
	}
	return struct {
		Header    apihttp.Header `json:"header"`
		Succeeded bool           `json:"succeeded"`
	}{Header: apihttp.HeaderOf(resp.Header), Succeeded: true}, nil
}
