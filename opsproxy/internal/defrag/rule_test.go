package defrag

import (
	"strings"
	"testing"
)

func TestRuleHoldsForTheSizesItDescribes(t *testing.T) {
	fragmented := Sizes{DBSize: 100 << 20, DBSizeInUse: 10 << 20, DBQuota: 1 << 30}
	compact := Sizes{DBSize: 100 << 20, DBSizeInUse: 90 << 20, DBQuota: 1 << 30}
	nearQuota := Sizes{DBSize: 900 << 20, DBSizeInUse: 890 << 20, DBQuota: 1 << 30}
	for _, tc := range []struct {
		rule  string
		sizes Sizes
		want  bool
	}{
		{DefaultRule, fragmented, true},
		{DefaultRule, compact, false},
		{DefaultRule, nearQuota, true},
		{DefaultRule, Sizes{DBSize: 1800 << 20, DBSizeInUse: 1700 << 20}, true}, // quota 0: etcd's 2 GiB
		{"dbSizeFree > 50000000", fragmented, true},
		{"dbSizeFree >= 1e7 && !(dbSize < 2*dbSizeInUse)", compact, false},
		{"(dbSize - dbSizeInUse) / dbSize > 0.8", fragmented, true},
		{"dbSize / 0 > 1", fragmented, false},
		{"-dbSize < 0 || dbQuota == 0", compact, true},
		{"dbSize != dbSize", compact, false},
	} {
		r, err := ParseRule(tc.rule)
		if err != nil {
			t.Fatalf("%q: %v", tc.rule, err)
		}
		if got := r.Holds(tc.sizes); got != tc.want {
			t.Errorf("%q over %+v = %v, want %v", tc.rule, tc.sizes, got, tc.want)
		}
	}
}

func TestRuleParseErrorsNameThePosition(t *testing.T) {
	for _, tc := range []struct{ rule, want string }{
		{"dbsize > 1", `position 1: unknown variable "dbsize"`},
		{"dbSize > ", "position 10: unexpected \"end of rule\""},
		{"dbSize > 1 && 2", `position 12: "&&" joins conditions, not numbers`},
		{"dbSize + (dbSize > 1)", `position 8: "+" takes numbers, not conditions`},
		{"(dbSize > 1", "position 12: want ')' to close the '(' at position 1"},
		{"dbSize > 1)", `position 11: unexpected ")"`},
		{"dbSize * 2", "position 1: the rule is a number"},
		{"1 < dbSize < 3", "position 12: comparisons do not chain"},
		{"dbSize > 1; rm -rf /", `position 11: unexpected character ";"`},
		{"dbSize > 1.2.3", `position 10: bad number "1.2.3"`},
		{"!dbSize", `position 1: "!" does not apply`},
		{strings.Repeat(" ", MaxRuleLength+1), "longer than 1024 characters"},
	} {
		_, err := ParseRule(tc.rule)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.rule, err, tc.want)
		}
	}
}
