package jobs_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func TestValidateScheduleAcceptsCronDescriptorsAndZones(t *testing.T) {
	for _, s := range []store.Schedule{
		{Name: "n", Kind: "work", Cluster: "prod", Cron: "*/5 * * * *"},
		{Name: "n", Kind: "work", Cluster: "prod", Cron: "0 3 * * 1-5", Timezone: "Europe/Paris"},
		{Name: "n", Kind: "work", Cluster: "prod", Cron: "@daily", Timezone: "America/New_York"},
		{Name: "n", Kind: "work", Cluster: "prod", Cron: "@every 90m", Parameters: json.RawMessage(`{"member":"m1"}`)},
	} {
		if err := jobs.ValidateSchedule(scheduleKinds, s); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
}

func TestValidateScheduleNamesTheBadField(t *testing.T) {
	good := store.Schedule{Name: "nightly", Kind: "work", Cluster: "prod", Cron: "0 3 * * *"}
	for _, tc := range []struct {
		edit func(*store.Schedule)
		want string
	}{
		{func(s *store.Schedule) { s.Name = "" }, "name: must not be empty"},
		{func(s *store.Schedule) { s.Cluster = "" }, "cluster: must not be empty"},
		{func(s *store.Schedule) { s.Cron = "" }, "cron: must not be empty"},
		{func(s *store.Schedule) { s.Cron = "61 * * * *" }, `cron: "61 * * * *": `},
		{func(s *store.Schedule) { s.Cron = "0 3 * *" }, `cron: "0 3 * *": `},
		{func(s *store.Schedule) { s.Cron = "@reboot" }, `cron: "@reboot": `},
		{func(s *store.Schedule) { s.Cron = "@every 10s" }, "cron: \"@every 10s\": @every must be at least 1m0s"},
		{func(s *store.Schedule) { s.Cron = "0 0 30 2 *" }, `cron: "0 0 30 2 *" never fires`},
		{func(s *store.Schedule) { s.Cron = "CRON_TZ=Asia/Tokyo 0 3 * * *" }, "cron: set the time zone in timezone"},
		{func(s *store.Schedule) { s.Timezone = "Mars/Olympus_Mons" }, `timezone: "Mars/Olympus_Mons" is not an IANA time zone`},
		{func(s *store.Schedule) { s.Timezone = "Local" }, `timezone: "Local" depends on the host`},
		{func(s *store.Schedule) { s.Kind = "compact" }, `kind: unknown kind "compact" (known: work)`},
		{func(s *store.Schedule) { s.Parameters = json.RawMessage(`{"member":5}`) }, "parameters: member: must be a string"},
		{func(s *store.Schedule) { s.Parameters = json.RawMessage(`[1]`) }, "parameters: not a JSON object"},
	} {
		s := good
		tc.edit(&s)
		err := jobs.ValidateSchedule(scheduleKinds, s)
		if err == nil || !errors.Is(err, store.ErrInvalid) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an ErrInvalid starting %q", s, err, tc.want)
		}
	}
}
