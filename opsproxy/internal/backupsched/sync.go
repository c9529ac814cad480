package backupsched

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// IDPrefix starts the id of every schedule made from the configuration; no other schedule's id
// does (those made through the API are random hex).
const IDPrefix = "backups/"

// CreatedBy is the creator of the schedules made from the configuration.
const CreatedBy = "config:backups"

// Report says what Sync changed.
type Report struct {
	Created  []string `json:"created,omitempty"`
	Replaced []string `json:"replaced,omitempty"`
	Deleted  []string `json:"deleted,omitempty"`
	Kept     int      `json:"kept"`
}

// ID is the id of the schedule of kind for the cluster's backups in the location.
func ID(cluster, location, kind string) string {
	return IDPrefix + cluster + "/" + location + "/" + kind
}

// Want lists the schedules the backups section asks for, by id.
func Want(b config.BackupsConfig) map[string]store.Schedule {
	out := map[string]store.Schedule{}
	for _, cluster := range b.ClusterNames() {
		for _, t := range b.Clusters[cluster] {
			params, _ := json.Marshal(map[string]string{"location": t.Location})
			for kind, cron := range t.Schedules() {
				id := ID(cluster, t.Location, kind)
				out[id] = store.Schedule{ID: id, Name: IDPrefix + t.Location + "/" + kind, Kind: kind, Cluster: cluster,
					Parameters: params, Cron: cron, Timezone: store.DefaultTimezone, CreatedBy: CreatedBy}
			}
		}
	}
	return out
}

// Sync makes the schedules under IDPrefix in st those of b: it creates the missing ones,
// replaces those whose kind, cluster, cron or parameters changed (a replaced schedule keeps its
// id, so that a slot already fired is not fired again: its job's idempotency key is the id and
// the slot), and deletes those b no longer has. A pause made through the API is kept. Several
// processes may sync at once: a schedule another one created meanwhile is not an error.
func Sync(ctx context.Context, st store.ScheduleStore, b config.BackupsConfig) (Report, error) {
	want := Want(b)
	have := map[string]store.Schedule{}
	f := store.ScheduleFilter{Limit: store.MaxJobLimit}
	for {
		page, err := st.ListSchedules(ctx, f)
		if err != nil {
			return Report{}, fmt.Errorf("list schedules: %w", err)
		}
		for _, sc := range page.Schedules {
			if strings.HasPrefix(sc.ID, IDPrefix) {
				have[sc.ID] = sc
			}
		}
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	var rep Report
	var errs []error
	for _, id := range sortedKeys(have) {
		if _, ok := want[id]; ok {
			continue
		}
		if err := st.DeleteSchedule(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
			errs = append(errs, fmt.Errorf("delete schedule %s: %w", id, err))
			continue
		}
		rep.Deleted = append(rep.Deleted, id)
	}
	for _, id := range sortedKeys(want) {
		w := want[id]
		old, exists := have[id]
		if exists && same(old, w) {
			rep.Kept++
			continue
		}
		if exists {
			w.Paused = old.Paused
			if err := st.DeleteSchedule(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
				errs = append(errs, fmt.Errorf("replace schedule %s: %w", id, err))
				continue
			}
		}
		_, err := st.CreateSchedule(ctx, w)
		switch {
		case errors.Is(err, store.ErrConflict):
			// Another process made it meanwhile, or a schedule of the API has its name.
			if _, gerr := st.Schedule(ctx, id); gerr != nil {
				errs = append(errs, fmt.Errorf("create schedule %s: %w", id, err))
			}
			continue
		case err != nil:
			errs = append(errs, fmt.Errorf("create schedule %s: %w", id, err))
			continue
		case exists:
			rep.Replaced = append(rep.Replaced, id)
		default:
			rep.Created = append(rep.Created, id)
		}
	}
	return rep, errors.Join(errs...)
}

// same reports whether the stored schedule fires what w asks for.
func same(have, w store.Schedule) bool {
	var hp, wp map[string]any
	_ = json.Unmarshal(have.Parameters, &hp)
	_ = json.Unmarshal(w.Parameters, &wp)
	return have.Kind == w.Kind && have.Cluster == w.Cluster && have.Cron == w.Cron && have.Timezone == w.Timezone &&
		have.Name == w.Name && fmt.Sprint(hp) == fmt.Sprint(wp)
}

func sortedKeys(m map[string]store.Schedule) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
