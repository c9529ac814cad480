package slo

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// TestExecuteRunsEveryStepInOrder runs a two-step profile (writes, then reads of the prefix)
// against one member and judges it.
func TestExecuteRunsEveryStepInOrder(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{})
	p := Profile{Name: "two", Runs: []Step{
		{Command: "put", Duration: time.Second, Flags: map[string]string{"rate": "20", "clients": "2"}},
		{Command: "range", Flags: map[string]string{"total": "20", "consistency": "s"}},
	}, Rules: Rules{MinThroughput: 0.5}}
	var steps []int
	reports, err := Execute(context.Background(), p, c.ClientConfig(), "/slo-exec/", func(step int, _, _ int64) {
		if len(steps) == 0 || steps[len(steps)-1] != step {
			steps = append(steps, step)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || reports[0].Command != "put" || reports[1].Command != "range" {
		t.Fatalf("reports %+v", reports)
	}
	if reports[0].Requests != 20 || reports[1].Requests != 20 {
		t.Errorf("requests %d and %d, want 20 each (rate × duration, then the total)", reports[0].Requests, reports[1].Requests)
	}
	if reports[1].Parameters["args"] != "/slo-exec/ /slo-exec0" {
		t.Errorf("the range read %q, want the prefix", reports[1].Parameters["args"])
	}
	if len(steps) > 0 && steps[0] != 0 {
		t.Errorf("progress steps %v", steps)
	}
	if v := Judge(p, reports); !v.Pass {
		t.Errorf("verdict %+v", v)
	}
	resp, err := c.Client(t).Get(context.Background(), "/slo-exec/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil || resp.Count != 0 {
		t.Errorf("keys left under the prefix: %v %v", resp, err)
	}
}

// TestExecuteObservedPassesEachStepsSamples: each step's per-second samples reach the
// observer as they close, with the step's index, as its report has them.
func TestExecuteObservedPassesEachStepsSamples(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{})
	p := Profile{Name: "two", Runs: []Step{
		{Command: "put", Flags: map[string]string{"total": "60", "rate": "40"}},
		{Command: "range", Flags: map[string]string{"total": "20", "consistency": "s"}},
	}}
	var mu sync.Mutex
	live := map[int][]benchrunner.Sample{}
	reports, err := ExecuteObserved(context.Background(), p, c.ClientConfig(), "/slo-observed/", Observer{
		Sample: func(step int, s benchrunner.Sample) { mu.Lock(); live[step] = append(live[step], s); mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 2 || len(live) != 2 {
		t.Fatalf("%d reports, samples of steps %v", len(reports), live)
	}
	for i, rep := range reports {
		if !reflect.DeepEqual(live[i], rep.Samples) {
			t.Errorf("step %d: observed %+v, reported %+v", i, live[i], rep.Samples)
		}
	}
}

// TestExecuteRefusesAPrefixWithKeysBeforeAReadStep: the engine checks the prefix only before
// writes; Execute checks it before the first step whatever it is.
func TestExecuteRefusesAPrefixWithKeysBeforeAReadStep(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{})
	if _, err := c.Client(t).Put(context.Background(), "/taken/k", "v"); err != nil {
		t.Fatal(err)
	}
	p := Profile{Name: "reads", Runs: []Step{{Command: "range", Flags: map[string]string{"total": "5"}}}}
	reports, err := Execute(context.Background(), p, c.ClientConfig(), "/taken/", nil)
	if !errors.Is(err, benchrunner.ErrPrefixInUse) || len(reports) != 0 {
		t.Errorf("reports %d, err %v; want a refusal before any run", len(reports), err)
	}
}

func TestExecuteRefusesAnInvalidStepBeforeConnecting(t *testing.T) {
	p := Profile{Name: "bad", Runs: []Step{{Command: "put", Flags: map[string]string{"total": "0"}}}}
	_, err := Execute(context.Background(), p, clientv3.Config{Endpoints: []string{"127.0.0.1:1"}}, "", nil)
	if err == nil || err.Error() != `profile "bad" run 1 (put): --total: must be positive` {
		t.Errorf("error %v", err)
	}
	if _, err := Execute(context.Background(), Profile{Name: "empty"}, clientv3.Config{}, "", nil); err == nil {
		t.Error("a profile without runs must be refused")
	}
}
