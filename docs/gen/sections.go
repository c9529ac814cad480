package main

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"

	yamlv2 "go.yaml.in/yaml/v2"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/benchrunner/slo"
	"github.com/etcd-monitor/etcd-monitor/exporter"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/store/open"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
	"github.com/etcd-monitor/etcd-monitor/rules"
)

// section is one configuration file of the reference.
type section struct {
	Title, Anchor string
	// Intro says which command reads the file and how it is reloaded (Markdown).
	Intro string
	// DefaultHeading names the default column ("default", or "shipped value").
	DefaultHeading string
	Rows           []row
}

// profilesFile is the document `bench check --profiles` and benchmarks.profiles_file read
// (benchrunner/slo's own type is unexported).
type profilesFile struct {
	// Profiles are the SLO profiles, each a name, runs and the rules their results must meet.
	Profiles []slo.ProfileYAML `yaml:"profiles"`
}

// clusterDefaults is a cluster entry as the loader starts it: decoded from the smallest valid
// entry, whose required fields are then cleared.
func clusterDefaults() (clusterconfig.Cluster, error) {
	var cs clusterconfig.Clusters
	if err := yamlv2.UnmarshalStrict([]byte("- {name: x, endpoints: ['127.0.0.1:2379']}"), &cs); err != nil {
		return clusterconfig.Cluster{}, fmt.Errorf("decode the smallest cluster entry: %w", err)
	}
	c := cs[0]
	c.Name, c.Endpoints = "", nil
	return c, nil
}

func diskAgentDefaults() (clusterconfig.DiskAgent, error) {
	var a clusterconfig.DiskAgent
	if err := yamlv2.UnmarshalStrict([]byte("{}"), &a); err != nil {
		return a, fmt.Errorf("decode an empty disk agent entry: %w", err)
	}
	return a, nil
}

// exporterDefaults is the exporter's configuration as the loader starts it.
func exporterDefaults() (exporter.Config, error) {
	var c exporter.Config
	if err := yamlv2.UnmarshalStrict([]byte("clusters: [{name: x, endpoints: ['127.0.0.1:2379']}]"), &c); err != nil {
		return c, fmt.Errorf("decode the smallest exporter configuration: %w", err)
	}
	c.Clusters = nil
	return c, nil
}

// sections builds every section; root is the repository root.
func sections(root string) ([]section, error) {
	docs := newComments(root)
	cluster, err := clusterDefaults()
	if err != nil {
		return nil, err
	}
	agent, err := diskAgentDefaults()
	if err != nil {
		return nil, err
	}
	elems := map[reflect.Type]reflect.Value{
		reflect.TypeFor[clusterconfig.Cluster]():   reflect.ValueOf(cluster),
		reflect.TypeFor[clusterconfig.DiskAgent](): reflect.ValueOf(agent),
	}
	shared := map[reflect.Type]string{reflect.TypeFor[clusterconfig.Cluster](): "[cluster entry](#cluster-entry)"}
	exp, err := exporterDefaults()
	if err != nil {
		return nil, err
	}
	settings, err := rules.LoadConfig(filepath.Join(root, "rules", "config", "settings.yml"))
	if err != nil {
		return nil, err
	}
	zeroOps := opsproxy.Config{}
	var out []section
	for _, s := range []struct {
		section
		value    any
		defaults map[string]string
		keys     map[string]string
		noShare  bool
	}{
		{
			section: section{Title: "Cluster entry (`clusters[]`, shared by every component)", Anchor: "cluster-entry",
				Intro: "How to reach one etcd cluster: the entries of `clusters` in the exporter's and opsproxy's files and the audit witness's `cluster`, " +
					"all decoded by internal/clusterconfig. The field paths below are relative to the entry; relative file paths in it are relative to the " +
					"process's working directory. A rotated certificate, key, CA or password file under the same path " +
					"is read again at the next reload."},
			value:   cluster,
			noShare: true,
		},
		{
			section: section{Title: "Exporter (`etcd-monitor exporter --config.file`)", Anchor: "exporter",
				Intro: "Read by `etcd-monitor exporter --config.file` (default `etcd-monitor.yml`); `--config.check` checks it and exits. " +
					"SIGHUP and `POST /-/reload` (with `--web.enable-lifecycle`) reload it; a bad file keeps the running configuration."},
			value: exp,
			keys:  map[string]string{"overrides": "<cluster>"},
		},
		{
			section: section{Title: "opsproxy and worker (`etcd-monitor opsproxy|worker --config.file`)", Anchor: "opsproxy",
				Intro: "Read by `etcd-monitor opsproxy --config.file` and `etcd-monitor worker --config.file` (default `opsproxy.yml`; the worker reads clusters, store, audit and queue). " +
					"SIGHUP and `POST /-/reload` reload it; what a reload changes and what needs a restart is in [operations.md](operations.md#what-reloads-and-what-needs-a-restart)."},
			value: opsproxy.DefaultConfig(),
			defaults: map[string]string{
				"store.path":                     open.DefaultPath,
				"limits.merge_concurrent_writes": strconv.FormatBool(zeroOps.Limits.MergeWrites()),
				"ui.enabled":                     strconv.FormatBool(zeroOps.UI.Serve()),
				"queue.workers":                  strconv.Itoa(zeroOps.Queue.WorkerCount()),
				"queue.scheduler":                strconv.FormatBool(zeroOps.Queue.SchedulerOn()),
				// Computed from the schedule when left out; the description says how.
				"backups.clusters.<cluster>[].max_age":      "",
				"backups.locations[].s3.upload_concurrency": strconv.Itoa(location.DefaultUploadConcurrency),
			},
			keys: map[string]string{
				"auth.grafana.service_tokens[].roles": "<org role>",
				"benchmarks.clusters":                 "<cluster>",
				"backups.clusters":                    "<cluster>", // on main since issue #17
			},
		},
		{
			section: section{Title: "Benchmark profiles (`bench check --profiles`, `benchmarks.profiles_file`)", Anchor: "benchmark-profiles",
				Intro: "SLO profiles of one's own, read by `etcd-monitor bench check --profiles` and by opsproxy from `benchmarks.profiles_file` " +
					"and `benchmarks.clusters.<cluster>.profiles_file` (at load and reload). See [benchmarking.md](benchmarking.md)."},
			value: profilesFile{},
		},
		{
			section: section{Title: "Rule settings (`rules/config/settings.yml`)", Anchor: "rule-settings", DefaultHeading: "shipped value",
				Intro: "The settings the rule files are generated from: edit `rules/config/settings.yml`, run `make rules`, load `rules/*.yml` into Prometheus. " +
					"The values shown are the shipped file's; every alert's `for`, thresholds and severities are in that file."},
			value: *settings,
			keys:  map[string]string{"alerts": "<alert>", "alerts.<alert>": "<severity>"},
			defaults: map[string]string{"alerts.<alert>.<severity>.for": "", "alerts.<alert>.<severity>.threshold": "",
				"alerts.<alert>.<severity>.revision_threshold": "", "alerts.<alert>.<severity>.min_bytes": ""},
		},
	} {
		w := &walker{docs: docs, defaults: s.defaults, keys: s.keys, elems: elems, shared: shared}
		if s.noShare {
			w.shared = nil
		}
		w.walkStruct("", reflect.ValueOf(s.value))
		if w.err != nil {
			return nil, w.err
		}
		if s.DefaultHeading == "" {
			s.DefaultHeading = "default"
		}
		if s.Anchor == "rule-settings" {
			// Alerts is a map of the shipped alerts: its one row says so; the values are per alert.
			for i := range w.rows {
				if w.rows[i].Path == "alerts" {
					w.rows[i].Default = fmt.Sprintf("%d alerts", len(settings.Alerts))
				}
			}
		}
		s.Rows = w.rows
		out = append(out, s.section)
	}
	return out, nil
}
