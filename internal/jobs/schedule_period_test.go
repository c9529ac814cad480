package jobs

import (
	"errors"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func TestCronPeriodIsTheLongestGapBetweenSlots(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want time.Duration
	}{
		{"0 */6 * * *", 6 * time.Hour},
		{"*/15 * * * *", 15 * time.Minute},
		{"30 3 * * *", 24 * time.Hour},
		{"0 1,2 * * *", 23 * time.Hour},
		{"@every 2h", 2 * time.Hour},
		{"0 0 * * 1-5", 3 * 24 * time.Hour},
	} {
		got, err := CronPeriod(tc.expr, "")
		if err != nil || got != tc.want {
			t.Errorf("CronPeriod(%q) = %v, %v; want %v", tc.expr, got, err, tc.want)
		}
	}
}

func TestCronPeriodRefusesBadExpressionsNamingThem(t *testing.T) {
	_, err := CronPeriod("every day", "")
	if !errors.Is(err, store.ErrInvalid) || err.Error() != `"every day": expected exactly 5 fields, found 2: [every day]: invalid argument` {
		t.Fatalf("got %v", err)
	}
}
