package keys

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/url"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// keyRange is a key or a range of keys: [key, end), or the single key when end is empty.
// An end of "\x00" means every key from key on, as in etcd.
type keyRange struct {
	key, end []byte
}

func (kr keyRange) single() bool { return len(kr.end) == 0 }

// parseKeyRange reads key, range_end, prefix and from_key from a query. Keys are raw bytes:
// percent-encoding carries any byte. prefix=true with an empty key is every key.
// keyRangeOf parses the request's key range and names it in the call's audit record.
func keyRangeOf(c *core.Call, q url.Values) (keyRange, error) {
	kr, err := parseKeyRange(q)
	if err != nil {
		return keyRange{}, err
	}
	c.Rec.Key, c.Rec.RangeEnd = kr.key, kr.end
	return kr, nil
}

func parseKeyRange(q url.Values) (keyRange, error) {
	if !q.Has("key") {
		return keyRange{}, apihttp.Errorf(http.StatusBadRequest, "key: required (key= with prefix=true selects every key)")
	}
	key := []byte(q.Get("key"))
	prefix, err := apihttp.QueryBool(q, "prefix")
	if err != nil {
		return keyRange{}, err
	}
	fromKey, err := apihttp.QueryBool(q, "from_key")
	if err != nil {
		return keyRange{}, err
	}
	hasEnd := q.Has("range_end")
	n := 0
	for _, set := range []bool{prefix, fromKey, hasEnd} {
		if set {
			n++
		}
	}
	if n > 1 {
		return keyRange{}, apihttp.Errorf(http.StatusBadRequest, "prefix, from_key and range_end: set at most one")
	}
	switch {
	case prefix:
		if len(key) == 0 {
			return keyRange{key: []byte{0}, end: []byte{0}}, nil
		}
		return keyRange{key: key, end: []byte(clientv3.GetPrefixRangeEnd(string(key)))}, nil
	case fromKey:
		if len(key) == 0 {
			key = []byte{0}
		}
		return keyRange{key: key, end: []byte{0}}, nil
	case hasEnd:
		end := []byte(q.Get("range_end"))
		if len(key) == 0 {
			return keyRange{}, apihttp.Errorf(http.StatusBadRequest, "key: must not be empty with range_end")
		}
		if !bytes.Equal(end, []byte{0}) && bytes.Compare(end, key) <= 0 {
			return keyRange{}, apihttp.Errorf(http.StatusBadRequest, "range_end: must sort after key")
		}
		return keyRange{key: key, end: end}, nil
	}
	if len(key) == 0 {
		return keyRange{}, apihttp.Errorf(http.StatusBadRequest, "key: must not be empty")
	}
	return keyRange{key: key}, nil
}

// contains reports whether k lies in the range.
func (kr keyRange) contains(k []byte) bool {
	if kr.single() {
		return bytes.Equal(k, kr.key)
	}
	if bytes.Compare(k, kr.key) < 0 {
		return false
	}
	return bytes.Equal(kr.end, []byte{0}) || bytes.Compare(k, kr.end) < 0
}

// options are the clientv3 options selecting the range.
func (kr keyRange) options() []clientv3.OpOption {
	if kr.single() {
		return nil
	}
	return []clientv3.OpOption{clientv3.WithRange(string(kr.end))}
}

// continuation is where the next page of a range read starts: the next key, at the revision
// the first page was read at, so that every page sees the same state.
type continuation struct {
	next     []byte
	revision int64
}

// encodeContinuation makes the opaque `continue` token: base64url of the revision (uvarint)
// followed by the next key.
func encodeContinuation(c continuation) string {
	buf := binary.AppendUvarint(nil, uint64(c.revision))
	buf = append(buf, c.next...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// decodeContinuation reads a `continue` token for the range kr.
func decodeContinuation(tok string, kr keyRange) (continuation, error) {
	bad := apihttp.Errorf(http.StatusBadRequest, "continue: not a token this range returned")
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return continuation{}, bad
	}
	rev, n := binary.Uvarint(raw)
	if n <= 0 || rev == 0 || rev > 1<<62 {
		return continuation{}, bad
	}
	c := continuation{revision: int64(rev), next: raw[n:]}
	if kr.single() || !kr.contains(c.next) {
		return continuation{}, bad
	}
	return c, nil
}
