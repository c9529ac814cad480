package exporter

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestJudgeHashesFindsTheMemberThatDiffers(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name       string
		answers    []hashAnswer
		consistent bool
		memberOK   map[string]bool
		err        string
	}{
		{
			name:       "all equal",
			answers:    []hashAnswer{{endpoint: "a", hash: 7}, {endpoint: "b", hash: 7}, {endpoint: "c", hash: 7}},
			consistent: true,
			memberOK:   map[string]bool{"a": true, "b": true, "c": true},
		},
		{
			name:       "one differs",
			answers:    []hashAnswer{{endpoint: "a", hash: 7}, {endpoint: "b", hash: 9}, {endpoint: "c", hash: 7}},
			consistent: false,
			memberOK:   map[string]bool{"a": true, "b": false, "c": true},
		},
		{
			name:       "a member that did not answer is not judged",
			answers:    []hashAnswer{{endpoint: "a", hash: 7}, {endpoint: "b", err: errors.New("down")}, {endpoint: "c", hash: 7}},
			consistent: true,
			memberOK:   map[string]bool{"a": true, "c": true},
		},
		{
			name:    "compaction in flight is inconclusive",
			answers: []hashAnswer{{endpoint: "a", hash: 7, compactRev: 5}, {endpoint: "b", hash: 8, compactRev: 6}},
			err:     "members differ in compact revision",
		},
		{
			name:    "nobody answered",
			answers: []hashAnswer{{endpoint: "a", err: errors.New("refused")}},
			err:     "no member answered: refused",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := judgeHashes(42, tc.answers, now)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.consistent != tc.consistent || res.revision != 42 {
				t.Errorf("consistent=%t revision=%d, want %t 42", res.consistent, res.revision, tc.consistent)
			}
			if len(res.memberOK) != len(tc.memberOK) {
				t.Errorf("memberOK = %v, want %v", res.memberOK, tc.memberOK)
			}
			for ep, ok := range tc.memberOK {
				if res.memberOK[ep] != ok {
					t.Errorf("member %s ok=%t, want %t", ep, res.memberOK[ep], ok)
				}
			}
		})
	}
}
