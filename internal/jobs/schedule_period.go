package jobs

import (
	"strings"
	"time"
)

// periodSlots is how many slots CronPeriod looks at: enough to see every gap of a daily,
// weekly or monthly expression.
const periodSlots = 64

// CronPeriod is the longest time between two consecutive slots of expr in the IANA zone tz
// (empty: UTC), over the next periodSlots slots from the start of 2026: what an alert on a
// missing backup must allow between two. Its error is ValidateSchedule's for the expression,
// without the "cron: " it starts with.
func CronPeriod(expr, tz string) (time.Duration, error) {
	sched, err := parseCron(expr, tz)
	if err != nil {
		return 0, cronFieldError{err}
	}
	var longest time.Duration
	t := sched.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	for range periodSlots {
		next := sched.Next(t)
		if next.IsZero() {
			break
		}
		longest = max(longest, next.Sub(t))
		t = next
	}
	return longest, nil
}

// cronFieldError is a parseCron error read under another field's name.
type cronFieldError struct{ err error }

func (e cronFieldError) Error() string { return strings.TrimPrefix(e.err.Error(), "cron: ") }
func (e cronFieldError) Unwrap() error { return e.err }
