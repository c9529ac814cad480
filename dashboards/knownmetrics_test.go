package dashboards

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

const (
	exporterMetricsDoc = "../docs/metrics.md"
	rulesGlob          = "../rules/*.yml"
)

// readMetricList reads a "<name> <type>" file such as testdata/etcd-metrics.txt.
func readMetricList(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	families := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("%s:%d: want \"<name> <type>\", got %q", path, n, line)
		}
		families[fields[0]] = fields[1]
	}
	return families, sc.Err()
}

// readExporterMetrics reads the name and type columns of the metrics table in docs/metrics.md,
// the exporter's contract.
func readExporterMetrics(path string) (map[string]string, error) {
	return readMetricsTable(path, "metrics")
}

// readOpsproxyMetrics reads the name and type columns of opsproxy's tables in docs/metrics.md:
// its own metrics and those of the stored benchmark runs and of the backups.
func readOpsproxyMetrics(path string) (map[string]string, error) {
	out, err := readMetricsTable(path, "opsproxy-metrics")
	if err != nil {
		return nil, err
	}
	bench, err := readMetricsTable(path, "benchmark-metrics")
	if err != nil {
		return nil, err
	}
	for name, typ := range bench {
		out[name] = typ
	}
	backups, err := readMetricsTable(path, "backup-metrics")
	if err != nil {
		return nil, err
	}
	for name, typ := range backups {
		out[name] = typ
	}
	return out, nil
}

// readDiskprobeMetrics reads the name and type columns of the diskprobe agent's table in
// docs/metrics.md.
func readDiskprobeMetrics(path string) (map[string]string, error) {
	return readMetricsTable(path, "diskprobe-metrics")
}

// readMetricsTable reads the name and type columns of the table between the <!-- marker:begin -->
// and <!-- marker:end --> comments of path.
func readMetricsTable(path, marker string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	begin, end := "<!-- "+marker+":begin -->", "<!-- "+marker+":end -->"
	_, rest, ok := strings.Cut(string(raw), begin)
	table, _, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		return nil, fmt.Errorf("%s: no %s ... %s table", path, begin, end)
	}
	families := map[string]string{}
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) < 2 {
			continue
		}
		name, typ := strings.TrimSpace(cells[0]), strings.TrimSpace(cells[1])
		if name == "name" || strings.HasPrefix(name, "---") {
			continue
		}
		families[strings.Trim(name, "`")] = typ
	}
	if len(families) == 0 {
		return nil, fmt.Errorf("%s: the metrics table is empty", path)
	}
	return families, nil
}

// errNoRuleFiles reports that rules/*.yml does not exist, so recording-rule names cannot be resolved.
var errNoRuleFiles = errors.New("no rules/*.yml files: recording rules cannot be resolved")

// readRecordingRules returns the names recorded by the rule files matching glob.
func readRecordingRules(glob string) (map[string]bool, error) {
	paths, err := filepath.Glob(glob)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, errNoRuleFiles
	}
	records := map[string]bool{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var file struct {
			Groups []struct {
				Rules []struct {
					Record string `yaml:"record"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(raw, &file); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		for _, g := range file.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					records[r.Record] = true
				}
			}
		}
	}
	return records, nil
}

// seriesNames expands metric families to the series names a query can select: a histogram's
// _bucket, _sum and _count, a summary's quantiles, _sum and _count.
func seriesNames(families map[string]string) map[string]bool {
	names := map[string]bool{}
	for name, typ := range families {
		switch typ {
		case "histogram":
			names[name+"_bucket"], names[name+"_sum"], names[name+"_count"] = true, true, true
		case "summary":
			names[name], names[name+"_sum"], names[name+"_count"] = true, true, true
		default:
			names[name] = true
		}
	}
	return names
}
