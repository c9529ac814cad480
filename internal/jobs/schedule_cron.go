package jobs

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// MinScheduleEvery is the shortest "@every" a schedule may use: slots come
// from the scheduler's ticks (15s by default), and standard cron does not
// go below a minute either.
const MinScheduleEvery = time.Minute

// ValidateSchedule checks a schedule before it is created: name and
// cluster present, the cron expression parses, the time zone loads, the
// kind is one of kinds and its parameters pass the kind's Validate. The
// error names the field and wraps store.ErrInvalid.
func ValidateSchedule(kinds []Kind, s store.Schedule) error {
	for _, f := range []struct{ name, value string }{{"name", s.Name}, {"cluster", s.Cluster}} {
		if f.value == "" {
			return fmt.Errorf("%s: must not be empty: %w", f.name, store.ErrInvalid)
		}
	}
	if _, err := parseCron(s.Cron, s.Timezone); err != nil {
		return err
	}
	i := slices.IndexFunc(kinds, func(k Kind) bool { return k.Name == s.Kind })
	if i < 0 {
		names := make([]string, len(kinds))
		for j, k := range kinds {
			names[j] = k.Name
		}
		return fmt.Errorf("kind: unknown kind %q (known: %s): %w", s.Kind, strings.Join(names, ", "), store.ErrInvalid)
	}
	return validateParameters(kinds[i], s.Parameters)
}

// validateParameters checks params (empty: an empty object) with k.Validate.
func validateParameters(k Kind, params json.RawMessage) error {
	if len(params) == 0 {
		params = json.RawMessage(`{}`)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(params, &obj); err != nil || obj == nil {
		return fmt.Errorf("parameters: not a JSON object: %w", store.ErrInvalid)
	}
	if k.Validate == nil {
		return nil
	}
	if err := k.Validate(params); err != nil {
		return fmt.Errorf("parameters: %w: %w", err, store.ErrInvalid)
	}
	return nil
}

// parseCron reads expr (5 fields, or a descriptor such as @daily or
// @every 1h) in the IANA zone tz (empty: UTC).
func parseCron(expr, tz string) (cron.Schedule, error) {
	if tz == "" {
		tz = store.DefaultTimezone
	}
	if tz == "Local" {
		return nil, fmt.Errorf("timezone: %q depends on the host; name an IANA zone such as UTC or Europe/Paris: %w", tz, store.ErrInvalid)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("timezone: %q is not an IANA time zone: %w", tz, store.ErrInvalid)
	}
	expr = strings.TrimSpace(expr)
	switch {
	case expr == "":
		return nil, fmt.Errorf("cron: must not be empty: %w", store.ErrInvalid)
	case strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ="):
		return nil, fmt.Errorf("cron: set the time zone in timezone, not in the expression: %w", store.ErrInvalid)
	}
	sched, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, fmt.Errorf("cron: %q: %v: %w", expr, err, store.ErrInvalid)
	}
	switch s := sched.(type) {
	case *cron.SpecSchedule:
		s.Location = loc
	case cron.ConstantDelaySchedule:
		if s.Delay < MinScheduleEvery {
			return nil, fmt.Errorf("cron: %q: @every must be at least %v: %w", expr, MinScheduleEvery, store.ErrInvalid)
		}
	}
	if next := sched.Next(time.Now()); next.IsZero() {
		return nil, fmt.Errorf("cron: %q never fires: %w", expr, store.ErrInvalid)
	}
	return sched, nil
}
