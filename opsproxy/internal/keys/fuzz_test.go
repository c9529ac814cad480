package keys

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// FuzzDecodePutRequest feeds arbitrary bodies to the put decoder: it must never panic, and
// every refusal must be a client error with a message.
func FuzzDecodePutRequest(f *testing.F) {
	for _, seed := range []string{
		`{"key":"a","value":"b"}`,
		`{"key_base64":"YQ==","value_base64":"/wA=","lease":7,"prev_kv":true}`,
		`{"key":"a","value":"b"} {}`,
		`{"key":"a","value":"b","extra":1}`,
		`{"key":"\u0000","value":""}`,
		`[]`, `null`, ``, `{"key":1}`, `{"lease":-1,"key":"a","value":"b"}`,
	} {
		f.Add([]byte(seed))
	}
	s := &api{Core: core.New(&core.State{Cfg: &config.Config{Limits: config.LimitsConfig{MaxRequestBytes: 4096}}})}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, _ := http.NewRequest("PUT", "/", bytes.NewReader(body))
		key, value, _, err := s.decodePut(r)
		if err != nil {
			var ae *apihttp.Error
			if !errors.As(err, &ae) || ae.Status() < 400 || ae.Status() >= 500 || ae.Error() == "" {
				t.Fatalf("refusal %v is not a client error", err)
			}
			return
		}
		if len(key) == 0 || value == nil {
			t.Fatalf("accepted %q with key %q value %v", body, key, value)
		}
	})
}

// FuzzParseKeyRange checks that any query either fails with a 400 or gives a range that is
// well formed: a non-empty key inside its own range, and an end after the key.
func FuzzParseKeyRange(f *testing.F) {
	for _, seed := range []string{
		"key=a", "key=a&prefix=true", "key=&prefix=true", "key=a&range_end=b", "key=b&range_end=a",
		"key=a&from_key=1", "key=%ff%ff&prefix=true", "key=a&prefix=true&range_end=b", "prefix=true",
		"key=a&range_end=%00", "key=%00&range_end=%00", "key=a&prefix=maybe",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		kr, err := parseKeyRange(q)
		if err != nil {
			var ae *apihttp.Error
			if !errors.As(err, &ae) || ae.Status() != http.StatusBadRequest {
				t.Fatalf("refusal %v is not a 400", err)
			}
			return
		}
		if len(kr.key) == 0 {
			t.Fatalf("%q: empty key accepted", raw)
		}
		if !kr.contains(kr.key) {
			t.Fatalf("%q: range [%q, %q) does not contain its key", raw, kr.key, kr.end)
		}
		if !kr.single() && !bytes.Equal(kr.end, []byte{0}) && bytes.Compare(kr.end, kr.key) <= 0 {
			t.Fatalf("%q: end %q not after key %q", raw, kr.end, kr.key)
		}
		if p, _ := apihttp.QueryBool(q, "prefix"); p && len(q.Get("key")) > 0 && strings.Count(q.Get("key"), "\xff") != len(q.Get("key")) {
			next := append(bytes.Clone(kr.key), 'x')
			if !kr.contains(next) {
				t.Fatalf("%q: prefix range does not contain %q", raw, next)
			}
		}
	})
}

// FuzzContinuation checks that a continue token is either refused with a 400 or names a key
// inside the range it is used with, and encodes back to itself.
func FuzzContinuation(f *testing.F) {
	f.Add(encodeContinuation(continuation{next: []byte("/p/b"), revision: 42}), "/p/")
	f.Add("AQ", "/p/")
	f.Add("", "")
	f.Add("////", "a")
	f.Fuzz(func(t *testing.T, tok, prefix string) {
		kr, err := parseKeyRange(url.Values{"key": {prefix}, "prefix": {"true"}})
		if err != nil {
			t.Fatalf("prefix %q: %v", prefix, err)
		}
		c, err := decodeContinuation(tok, kr)
		if err != nil {
			var ae *apihttp.Error
			if !errors.As(err, &ae) || ae.Status() != http.StatusBadRequest {
				t.Fatalf("refusal %v is not a 400", err)
			}
			return
		}
		if !kr.contains(c.next) || c.revision <= 0 {
			t.Fatalf("token %q accepted with key %q outside %q or revision %d", tok, c.next, prefix, c.revision)
		}
		if again, err := decodeContinuation(encodeContinuation(c), kr); err != nil || !bytes.Equal(again.next, c.next) || again.revision != c.revision {
			t.Fatalf("token %q does not round-trip: %+v, %v", tok, again, err)
		}
	})
}
