package store

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckJSONTextRefusesWhatPostgreSQLRefuses(t *testing.T) {
	for _, c := range []struct {
		raw string
		ok  bool
	}{
		{`{"a":"b"}`, true},
		{`{"a":"\u00e9\n\"\\"}`, true},
		{`{"a":"\ud83d\ude00"}`, true},
		{`{"a":"\\u0000"}`, true}, // a backslash, then the text u0000
		{`{"a":"\u0000"}`, false},
		{`{"\u0000":1}`, false},
		{`{"a":"\ud83d"}`, false},
		{`{"a":"\ud83dx"}`, false},
		{`{"a":"\ud83d\n"}`, false},
		{`{"a":"\ude00"}`, false},
		{`{"a":"\ud83d\ud83d"}`, false},
		{"{\"a\":\"\xff\"}", false},
	} {
		err := checkJSONText([]byte(c.raw))
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s: %v, want ok %v", c.raw, err, c.ok)
		}
	}
}

func TestPrepareJobRefusesTextNamingTheField(t *testing.T) {
	for field, j := range map[string]Job{
		"kind":            {Kind: "de\x00frag", Cluster: "c"},
		"cluster":         {Kind: "defrag", Cluster: "c\xff"},
		"idempotency key": {Kind: "defrag", Cluster: "c", IdempotencyKey: "k\x00"},
		"requested_by":    {Kind: "defrag", Cluster: "c", RequestedBy: "\x00"},
		"parameters":      {Kind: "defrag", Cluster: "c", Parameters: []byte(`{"m":"\u0000"}`)},
	} {
		_, err := PrepareJob(j, time.Now())
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v, want ErrInvalid naming it", field, err)
		}
	}
}
