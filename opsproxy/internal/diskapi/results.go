package diskapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobkinds"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/resultapi"
)

// diskTests is the kind of result this area answers.
var diskTests = resultapi.Kind{Result: store.KindDiskTest, Noun: "disk test", Plural: "disk tests"}

// Summary is one disk test in a list: who was probed, how, and the sync latency figures
// (seconds) against the line, without the histogram.
type Summary struct {
	ID         string        `json:"id"`
	Cluster    string        `json:"cluster"`
	Member     string        `json:"member"`
	Job        string        `json:"job"`
	Engine     string        `json:"engine"`
	Profile    string        `json:"profile"`
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt time.Time     `json:"finished_at"`
	Verdict    store.Verdict `json:"verdict"`
	Partial    bool          `json:"partial"`
	P50        float64       `json:"p50"`
	P99        float64       `json:"p99"`
	Max        float64       `json:"max"`
	IOPS       float64       `json:"iops"`
	Threshold  float64       `json:"threshold"`
	Filesystem string        `json:"filesystem"`
}

// DiskTest is one stored disk test in full: its summary and the agent's whole result.
type DiskTest struct {
	Summary
	Result diskprobe.Result `json:"result"`
}

// decodeTest reads a stored disk-test result; the store holds what the job wrote, so a result
// that does not decode is a 500 of ours, not the caller's.
func decodeTest(r store.Result) (DiskTest, error) {
	var p jobkinds.DiskTestParameters
	if err := json.Unmarshal(r.Parameters, &p); err != nil {
		return DiskTest{}, errors.New("disk test " + r.ID + ": stored parameters do not decode: " + err.Error())
	}
	var t DiskTest
	if err := json.Unmarshal(r.Figures, &t.Result); err != nil {
		return DiskTest{}, errors.New("disk test " + r.ID + ": stored result does not decode: " + err.Error())
	}
	res := t.Result
	t.Summary = Summary{ID: r.ID, Cluster: r.Cluster, Member: r.Name, Job: p.Job, Engine: string(res.Engine),
		Profile: res.Job.Profile, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Verdict: r.Verdict, Partial: res.Partial,
		P50: res.Sync.Percentiles["50"], P99: res.Sync.Percentiles["99"], Max: res.Sync.Max, IOPS: res.IOPS,
		Threshold: res.Threshold, Filesystem: res.Filesystem.Type}
	return t, nil
}

// list answers GET /disktests: newest first, filtered by cluster, member and engine. A token
// limited to clusters lists only theirs.
func (s *api) list(c *core.Call) (any, error) {
	engine, err := resultapi.QueryValue(c.R.URL.Query(), "engine")
	if err != nil {
		return nil, err
	}
	switch diskprobe.Engine(engine) {
	case "", diskprobe.EngineNative, diskprobe.EngineFio:
	default:
		return nil, apihttp.Errorf(http.StatusBadRequest, "engine: want native or fio")
	}
	f, err := resultapi.ListFilter(c, diskTests, "member")
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if engine != "" {
		// The store does not index the engine: read the largest page and keep the engine's.
		f.Limit = resultapi.MaxListLimit
	}
	results, err := resultapi.List(c, s.Store, diskTests, f)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(results))
	for _, r := range results {
		t, err := decodeTest(r)
		if err != nil {
			return nil, err
		}
		if engine != "" && t.Engine != engine {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, t.Summary)
	}
	return map[string]any{"disktests": out}, nil
}

// get answers GET /disktests/{id}.
func (s *api) get(c *core.Call) (any, error) {
	return s.test(c, "id", c.R.PathValue("id"))
}

// test reads the disk test called id, given as field, for c (resultapi.Get: 404 when it does
// not exist, is not a disk test, or is of a cluster the token may not read).
func (s *api) test(c *core.Call, field, id string) (DiskTest, error) {
	r, err := resultapi.Get(c, s.Store, diskTests, field, id)
	if err != nil {
		return DiskTest{}, err
	}
	return decodeTest(r)
}
