package backupapi

import "github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"

// Location is one backup location of a cluster as GET /backup-locations shows it: where it is
// and the policies, never a key, a secret or a credential file's path.
type Location struct {
	Name            string    `json:"name"`
	Kind            string    `json:"kind"`
	Where           string    `json:"where"`
	Encrypted       bool      `json:"encrypted"`
	External        bool      `json:"external"`
	Schedule        string    `json:"schedule"`
	MaxAgeSeconds   float64   `json:"max_age_seconds"`
	Retention       Retention `json:"retention"`
	DrillSchedule   string    `json:"drill_schedule"`
	InspectSchedule string    `json:"inspect_schedule"`
}

// Retention is a location's retention policy (0: no limit of that kind).
type Retention struct {
	Count         int     `json:"count"`
	MaxAgeSeconds float64 `json:"max_age_seconds"`
}

// LocationList is the answer of GET /clusters/{cluster}/backup-locations.
type LocationList struct {
	Locations []Location `json:"locations"`
}

func locationOf(t Target) Location {
	return Location{Name: t.Location, Kind: t.Kind, Where: t.Where, Encrypted: t.Encrypted, External: t.External,
		Schedule: t.Schedule, MaxAgeSeconds: t.MaxAge.Seconds(),
		Retention:     Retention{Count: t.RetentionCount, MaxAgeSeconds: t.RetentionMaxAge.Seconds()},
		DrillSchedule: t.DrillSchedule, InspectSchedule: t.InspectSchedule}
}

// listLocations answers GET /clusters/{cluster}/backup-locations.
func (s *api) listLocations(c *core.Call) (any, error) {
	cluster, err := s.cluster(c)
	if err != nil {
		return nil, err
	}
	out := LocationList{Locations: []Location{}}
	for _, t := range targetsOf(s.src, cluster) {
		out.Locations = append(out.Locations, locationOf(t))
	}
	return out, nil
}
