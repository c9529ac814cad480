package regress

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// record re-captures testdata/recorded-put-*.json from runs against an embedded cluster:
// go test ./benchrunner/regress -run TestRecordedAAPairsStayUnchanged -args -record
var record = flag.Bool("record", false, "re-record the per-second samples in testdata from runs against an embedded etcd")

const recordedRuns = 4

// recordedSamples loads the recorded runs' per-second samples (recording them first with -record).
func recordedSamples(t *testing.T) [][]benchrunner.Sample {
	t.Helper()
	if *record {
		recordRuns(t)
	}
	var out [][]benchrunner.Sample
	for i := 1; i <= recordedRuns; i++ {
		b, err := os.ReadFile(filepath.Join("testdata", fmt.Sprintf("recorded-put-%d.json", i)))
		if err != nil {
			t.Fatal(err)
		}
		var rep benchrunner.Report
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		out = append(out, wholeSeconds(rep.Samples))
	}
	return out
}

// recordRuns runs `bench put` unthrottled for about 30 s, recordedRuns times, against one
// embedded member, and writes each report as `bench -w json` would.
func recordRuns(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{})
	for i := 1; i <= recordedRuns; i++ {
		rep, err := benchrunner.Run(context.Background(), benchrunner.Options{
			Command: "put", Client: c.ClientConfig(),
			Flags: map[string]string{"total": "60000", "clients": "8", "conns": "2", "key-space-size": "100000", "val-size": "256"},
		})
		if err != nil {
			t.Fatal(err)
		}
		rep.Runner.Host = "recorder" // the recording machine's name is nobody's business
		rep.Parameters["endpoints"] = "127.0.0.1:2379"
		var b []byte
		if b, err = json.MarshalIndent(rep, "", "  "); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", fmt.Sprintf("recorded-put-%d.json", i)), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("recorded run %d: %d seconds, %.0f req/s", i, len(rep.Samples), rep.Throughput)
	}
}
