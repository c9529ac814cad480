package exporter

import (
	"errors"
	"sort"
	"strconv"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// probe is one concern of the outside view (health, status, alarms, …). Each lives in its own file
// and reports its own metrics; collect returns errNotApplicable when the cluster's settings leave
// it nothing to do (the canary when disabled, certificates without TLS).
type probe interface {
	describe(ch chan<- *prometheus.Desc)
	collect(s *scrape, ch chan<- prometheus.Metric) error
}

var errNotApplicable = errors.New("not applicable")

type probeEntry struct {
	name    string
	enabled *bool
	probe   probe
}

var probes = map[string]*probeEntry{}

// registerProbe adds a probe with its --collector.<name> flag, in node_exporter's manner. It is
// called from the probes' init functions.
func registerProbe(name string, defaultEnabled bool, p probe) {
	e := &probeEntry{name: name, probe: p, enabled: new(bool)}
	*e.enabled = defaultEnabled
	probes[name] = e
}

// addProbeFlags adds --[no-]collector.<name> flags to a command.
func addProbeFlags(cmd *kingpin.CmdClause) {
	for _, e := range sortedProbes(false) {
		def := "disabled"
		if *e.enabled {
			def = "enabled"
		}
		cmd.Flag("collector."+e.name, "Enable the "+e.name+" probe (default: "+def+").").
			Default(strconv.FormatBool(*e.enabled)).BoolVar(e.enabled)
	}
}

// sortedProbes returns the registered probes by name, only the enabled ones when asked.
func sortedProbes(enabledOnly bool) []*probeEntry {
	out := make([]*probeEntry, 0, len(probes))
	for _, e := range probes {
		if !enabledOnly || *e.enabled {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
