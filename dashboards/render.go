package dashboards

import (
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// Dashboard is one dashboard and the name of the JSON file it is rendered to.
type Dashboard struct {
	File  string
	build func() *dashboard.DashboardBuilder
}

// All returns every etcd-monitor dashboard, in a stable order.
func All() []Dashboard {
	return []Dashboard{
		{File: "etcd-cluster-overview.json", build: overview},
		{File: "etcd-member-detail.json", build: member},
		{File: "etcd-monitor-exporter.json", build: exporter},
		{File: "etcd-monitor-opsproxy.json", build: opsproxy},
	}
}

// Render returns the dashboard as indented JSON, as Grafana imports it, ending in a newline.
func (d Dashboard) Render() ([]byte, error) {
	model, err := d.build().Build()
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", d.File, err)
	}
	numberPanels(&model)
	out, err := json.MarshalIndent(model, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", d.File, err)
	}
	return append(out, '\n'), nil
}

// numberPanels gives rows and panels the ids 1, 2, ... in layout order, so that panel links
// (viewPanel=<id>) are stable across regenerations.
func numberPanels(model *dashboard.Dashboard) {
	id := uint32(0)
	for _, p := range model.Panels {
		id++
		switch {
		case p.RowPanel != nil:
			p.RowPanel.Id = id
		case p.Panel != nil:
			p.Panel.Id = cog.ToPtr(id)
		}
	}
}
