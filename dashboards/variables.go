package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// Variable names, referenced in queries as $name.
const (
	varDatasource = "datasource"
	varCluster    = "cluster"
	varMember     = "member"
	varMemberID   = "member_id"
	varInstance   = "instance"
	varEndpoint   = "endpoint"
	varJob        = "job"
)

// allOption is Grafana's "All" choice, the default of multi-value variables.
func allOption() dashboard.VariableOption {
	return dashboard.VariableOption{
		Text:  dashboard.StringOrArrayOfString{String: cog.ToPtr("All")},
		Value: dashboard.StringOrArrayOfString{String: cog.ToPtr("$__all")},
	}
}

// datasourceVariable picks the Prometheus that holds both etcd's and the exporter's series.
func datasourceVariable() *dashboard.DatasourceVariableBuilder {
	return dashboard.NewDatasourceVariableBuilder(varDatasource).
		Label("Data source").
		Type("prometheus")
}

// labelValues is a query variable listing the values of label on the series selected by selector
// (Grafana's label_values(selector, label)), refreshed when the time range changes.
func labelValues(name, label, selector string) *dashboard.QueryVariableBuilder {
	q := "label_values(" + selector + ", " + label + ")"
	return dashboard.NewQueryVariableBuilder(name).
		Datasource(datasourceRef()).
		Query(dashboard.StringOrMap{String: cog.ToPtr(q)}).
		Definition(q).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc)
}

// multi lets a variable take several values or All, and selects All by default.
func multi(v *dashboard.QueryVariableBuilder) *dashboard.QueryVariableBuilder {
	return v.Multi(true).IncludeAll(true).Current(allOption())
}

// clusterVariable lists the clusters the exporter probes: the `cluster` label is the cluster name
// of the exporter's configuration, and etcd's own targets must carry the same value.
func clusterVariable() *dashboard.QueryVariableBuilder {
	return labelValues(varCluster, "cluster", "etcd_monitor_cluster_members").Label("Cluster")
}

// memberVariables select members by the name etcd knows them by, and derive from it the label
// values each source identifies a member with:
//   - member_id: the member ID in hex, from the exporter's etcd_monitor_member_info;
//   - instance: the scrape target of etcd's own /metrics whose etcd_server_id has that ID;
//   - endpoint: the client URL the exporter probes the member on.
//
// The derived variables are hidden: they follow the member choice.
func memberVariables() []cog.Builder[dashboard.VariableModel] {
	info := `etcd_monitor_member_info{cluster="$cluster", member=~"$member"}`
	return []cog.Builder[dashboard.VariableModel]{
		multi(labelValues(varMember, "member", `etcd_monitor_member_info{cluster="$cluster"}`)).
			Label("Member"),
		multi(labelValues(varMemberID, "member_id", info)).
			Hide(dashboard.VariableHideHideVariable),
		multi(labelValues(varInstance, "instance", `etcd_server_id{cluster="$cluster", server_id=~"$member_id"}`)).
			Hide(dashboard.VariableHideHideVariable),
		multi(labelValues(varEndpoint, "endpoint", info)).
			Hide(dashboard.VariableHideHideVariable),
	}
}

// jobVariable lists the Prometheus jobs that scrape an etcd-monitor exporter.
func jobVariable() *dashboard.QueryVariableBuilder {
	return multi(labelValues(varJob, "job", "etcd_monitor_build_info")).Label("Exporter job")
}
