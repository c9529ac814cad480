package agent

import (
	"fmt"
	"sort"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
)

// hdrUnit is the HDR histogram's unit in seconds: the engine records sync latencies in
// nanoseconds.
const hdrUnit = 1e-9

// addSyncs adds a probe's sync latencies to the trigger's histogram, from the engine's HDR
// histogram. fio reports percentiles only: its probes add nothing.
func addSyncs(st *stats, l diskprobe.Latency) error {
	if l.Histogram == "" {
		return nil
	}
	h, err := hdrhistogram.Decode([]byte(l.Histogram))
	if err != nil {
		return fmt.Errorf("decode sync histogram: %w", err)
	}
	var n uint64
	for _, bar := range h.Distribution() {
		if bar.Count <= 0 {
			continue
		}
		// The bar's values are at most bar.To: they belong to the first bucket whose upper
		// bound is at least that (and, the buckets being cumulative, to every later one).
		v := float64(bar.To) * hdrUnit
		for i := sort.SearchFloat64s(walFsyncBuckets, v); i < len(walFsyncBuckets); i++ {
			st.buckets[i] += uint64(bar.Count)
		}
		n += uint64(bar.Count)
	}
	st.count += n
	st.sum += l.Mean * float64(n)
	return nil
}
