package doccheck

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/relabel"
	"go.yaml.in/yaml/v2"
)

// shardingBlocks are the YAML blocks of docs/operations.md's section on hashmod sharding.
func shardingBlocks(t *testing.T) []string {
	t.Helper()
	d := readDoc(t, "docs/operations.md")
	raw := strings.Join(d.rawLines, "\n")
	start := strings.Index(raw, "## Scaling the exporter: hashmod sharding")
	end := strings.Index(raw[start+1:], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal("docs/operations.md has no section on hashmod sharding")
	}
	section := raw[start : start+1+end]
	var blocks []string
	for _, part := range strings.Split(section, "```yaml\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		blocks = append(blocks, block)
	}
	if len(blocks) != 2 {
		t.Fatalf("want the two examples (shard per Prometheus, spread over exporters), found %d", len(blocks))
	}
	return blocks
}

// relabelConfigs reads the relabel_configs of a block (a whole scrape configuration, or the
// relabel_configs of one job).
func relabelConfigs(t *testing.T, block string) []*relabel.Config {
	t.Helper()
	var whole struct {
		ScrapeConfigs []struct {
			RelabelConfigs []*relabel.Config `yaml:"relabel_configs"`
		} `yaml:"scrape_configs"`
		RelabelConfigs []*relabel.Config `yaml:"relabel_configs"`
	}
	if err := yaml.Unmarshal([]byte(strings.TrimLeft(dedent(block), "\n")), &whole); err != nil {
		t.Fatalf("parse the example: %v\n%s", err, block)
	}
	cfgs := whole.RelabelConfigs
	if len(whole.ScrapeConfigs) == 1 {
		cfgs = whole.ScrapeConfigs[0].RelabelConfigs
	}
	for _, c := range cfgs {
		if err := c.Validate(model.UTF8Validation); err != nil {
			t.Fatalf("relabel config %+v: %v", c, err)
		}
	}
	return cfgs
}

// dedent removes the indentation of the block's first line from every line.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	indent := len(lines[0]) - len(strings.TrimLeft(lines[0], " "))
	for i, l := range lines {
		if len(l) >= indent {
			lines[i] = l[indent:]
		}
	}
	return strings.Join(lines, "\n")
}

var clusterNames = []string{"prod-a", "prod-b", "prod-c", "staging-a", "staging-b", "eu-1", "eu-2", "us-1", "us-2", "lab"}

// The documented sharding does what the page says: with one Prometheus per shard, every
// cluster is probed by exactly one shard, through that shard's exporter, as its own target and
// with its cluster label; spread over exporters, every cluster goes to one of the three.
func TestShardingExamplesProbeEveryClusterOnce(t *testing.T) {
	blocks := shardingBlocks(t)

	perShard := map[string]int{}
	for shard := range 3 {
		block := strings.Replace(blocks[0], `regex: "0"`, fmt.Sprintf(`regex: "%d"`, shard), 1)
		block = strings.Replace(block, "etcd-monitor-0:9979", fmt.Sprintf("etcd-monitor-%d:9979", shard), 1)
		cfgs := relabelConfigs(t, block)
		for _, c := range clusterNames {
			lb := labels.NewBuilder(labels.FromStrings("__address__", c))
			if !relabel.ProcessBuilder(lb, cfgs...) {
				continue
			}
			got := lb.Labels()
			if got.Get("__param_target") != c || got.Get("cluster") != c ||
				got.Get("__address__") != fmt.Sprintf("etcd-monitor-%d:9979", shard) {
				t.Errorf("shard %d, cluster %s: labels %s", shard, c, got)
			}
			perShard[c]++
		}
	}
	for _, c := range clusterNames {
		if perShard[c] != 1 {
			t.Errorf("cluster %s is probed by %d shards, want 1", c, perShard[c])
		}
	}

	cfgs := relabelConfigs(t, blocks[1])
	exporters := map[string]bool{}
	for _, c := range clusterNames {
		lb := labels.NewBuilder(labels.FromStrings("__address__", c))
		if !relabel.ProcessBuilder(lb, cfgs...) {
			t.Errorf("cluster %s dropped", c)
			continue
		}
		got := lb.Labels()
		addr := got.Get("__address__")
		if got.Get("__param_target") != c || got.Get("cluster") != c || !strings.HasPrefix(addr, "etcd-monitor-") {
			t.Errorf("cluster %s: labels %s", c, got)
		}
		exporters[addr] = true
	}
	if len(exporters) < 2 {
		t.Errorf("the probes of %d clusters all went to %v", len(clusterNames), exporters)
	}
}
