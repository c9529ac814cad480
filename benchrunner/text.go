package benchrunner

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// WriteText prints r as etcd's benchmark tool prints its report.
func WriteText(w io.Writer, r *Report) error {
	if r == nil {
		return fmt.Errorf("no report to print")
	}
	t := textFormat{precision: "%4.4f", sample: r.Parameters["sample"] == "true"}
	if r.Parameters["precise"] == "true" {
		t.precision = "%g"
	}
	main := phaseView{Requests: r.Requests, Errors: r.Errors, Elapsed: r.Elapsed, Throughput: r.Throughput, Latency: r.Latency, Service: r.Service, Samples: r.Samples}
	var b strings.Builder
	switch r.Command {
	case "range":
		b.WriteString(consistencyLine(r))
		b.WriteString(t.report(main))
	case "txn-mixed":
		b.WriteString(consistencyLine(r))
		read, write := r.phase("read"), r.phase("write")
		fmt.Fprintf(&b, "Total Read Ops: %d\nDetails:%s\n", read.Requests, t.report(read))
		fmt.Fprintf(&b, "Total Write Ops: %d\nDetails:%s\n", write.Requests, t.report(write))
	case "watch":
		fmt.Fprintf(&b, "Watch creation summary:\n%s", t.report(r.phase("watch-creation")))
		fmt.Fprintf(&b, "Watch events received summary:\n%s", t.report(r.phase("events")))
	case "watch-latency":
		fmt.Fprintf(&b, "\nPut summary:\n%s", t.report(r.phase("put")))
		fmt.Fprintf(&b, "\nWatch events summary:\n%s", t.report(r.phase("watch-events")))
	case "lease-keepalive":
		b.WriteString(t.report(main))
	default: // put, txn-put: etcd prints them with Println
		b.WriteString(t.report(main))
		b.WriteString("\n")
	}
	if r.HashKV != nil {
		fmt.Fprintf(&b, "HashKV Summary:\n\tHashKV: %d\n\tEndpoint: %s\n\tTime taken to get hashkv: %v\n\tDB size: %s\n",
			r.HashKV.Hash, r.HashKV.Endpoint, r.HashKV.Took, humanize.Bytes(uint64(r.HashKV.DBSize)))
	}
	if r.Partial {
		fmt.Fprintf(&b, "\nPartial run (%d requests done): %s\n", r.Requests, r.Reason)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints r as indented JSON (-w json).
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func consistencyLine(r *Report) string {
	if r.Parameters["consistency"] == "s" {
		return "bench with serializable range\n"
	}
	return "bench with linearizable range\n"
}

// phaseView is the figures one etcd report prints.
type phaseView struct {
	Requests   int64
	Errors     map[string]int64
	Elapsed    time.Duration
	Throughput float64
	Latency    Distribution
	Service    Distribution
	Samples    []Sample
}

func (r *Report) phase(name string) phaseView {
	for _, p := range r.Phases {
		if p.Name == name {
			return phaseView{Requests: p.Requests, Errors: p.Errors, Elapsed: p.Elapsed, Throughput: p.Throughput, Latency: p.Latency, Service: p.Service, Samples: p.Samples}
		}
	}
	return phaseView{}
}

type textFormat struct {
	precision string
	sample    bool
}

func (t textFormat) sec(s float64) string { return fmt.Sprintf(t.precision+" secs", s) }

// report is etcd's report.String() for one phase, then (with a rate) the service-time block.
func (t textFormat) report(v phaseView) string {
	var b strings.Builder
	d := v.Latency
	if d.Count > 0 {
		b.WriteString("\nSummary:\n")
		fmt.Fprintf(&b, "  Total:\t%s.\n", t.sec(v.Elapsed.Seconds()))
		fmt.Fprintf(&b, "  Slowest:\t%s.\n", t.sec(d.Slowest))
		fmt.Fprintf(&b, "  Fastest:\t%s.\n", t.sec(d.Fastest))
		fmt.Fprintf(&b, "  Average:\t%s.\n", t.sec(d.Average))
		fmt.Fprintf(&b, "  Stddev:\t%s.\n", t.sec(d.Stddev))
		fmt.Fprintf(&b, "  Requests/sec:\t"+t.precision+"\n", v.Throughput)
		b.WriteString(t.histogram(d))
		b.WriteString("\nLatency distribution:\n")
		b.WriteString(t.percentiles(d))
		if t.sample {
			fmt.Fprintf(&b, "%s\n", sampleCSV(v.Samples))
		}
	}
	if len(v.Errors) > 0 {
		b.WriteString("\nError distribution:\n")
		for msg, n := range v.Errors {
			fmt.Fprintf(&b, "  [%d]\t%s\n", n, msg)
		}
	}
	if s := v.Service; s.Count > 0 && s.Average != d.Average {
		b.WriteString("\nService time (from when each request was sent; the figures above count from its intended start):\n")
		fmt.Fprintf(&b, "  Slowest:\t%s.\n", t.sec(s.Slowest))
		fmt.Fprintf(&b, "  Fastest:\t%s.\n", t.sec(s.Fastest))
		fmt.Fprintf(&b, "  Average:\t%s.\n", t.sec(s.Average))
		fmt.Fprintf(&b, "  Stddev:\t%s.\n", t.sec(s.Stddev))
		b.WriteString("\nService time distribution:\n")
		b.WriteString(t.percentiles(s))
	}
	return b.String()
}

func (t textFormat) percentiles(d Distribution) string {
	var b strings.Builder
	for _, p := range percentileKeys {
		// etcd prints a percentile only when some latency's rank reaches it: with fewer than
		// 1000 requests there is no 99.9 % line.
		reached := d.Count > 0 && float64(d.Count-1)*100/float64(d.Count) >= p.q
		if v := d.Percentiles[p.key]; v > 0 && reached {
			fmt.Fprintf(&b, "  %v%% in %s.\n", p.q, t.sec(v))
		}
	}
	return b.String()
}

// histogram is etcd's "Response time histogram": ten equal buckets from the fastest to the
// slowest latency, each counting the latencies up to its bound, bars scaled to 40 marks.
func (t textFormat) histogram(d Distribution) string {
	const bc = 10
	buckets := make([]float64, bc+1)
	counts := make([]int64, bc+1)
	bs := (d.Slowest - d.Fastest) / bc
	for i := 0; i < bc; i++ {
		buckets[i] = d.Fastest + bs*float64(i)
	}
	buckets[bc] = d.Slowest
	bars, err := histogramBars(d)
	if err != nil {
		bars = nil
	}
	bi := 0
	for _, br := range bars {
		v := min(max(br.seconds, d.Fastest), d.Slowest)
		for v > buckets[bi] && bi < bc {
			bi++
		}
		counts[bi] += br.count
	}
	var most int64
	for _, c := range counts {
		most = max(most, c)
	}
	var b strings.Builder
	b.WriteString("\nResponse time histogram:\n")
	for i := range buckets {
		barLen := 0
		if most > 0 {
			barLen = int(counts[i] * 40 / most)
		}
		fmt.Fprintf(&b, "  "+t.precision+" [%v]\t|%v\n", buckets[i], counts[i], strings.Repeat("∎", barLen))
	}
	return b.String()
}

// sampleCSV is etcd's --sample block: per second, the minimum, average and maximum latency and
// the number of successful requests.
func sampleCSV(samples []Sample) string {
	var buf strings.Builder
	wr := csv.NewWriter(&buf)
	_ = wr.Write([]string{"UNIX-SECOND", "MIN-LATENCY-MS", "AVG-LATENCY-MS", "MAX-LATENCY-MS", "AVG-THROUGHPUT"})
	for _, s := range samples {
		_ = wr.Write([]string{
			fmt.Sprintf("%d", s.Unix),
			secondsDuration(s.Min).String(),
			secondsDuration(s.Mean).String(),
			secondsDuration(s.Max).String(),
			fmt.Sprintf("%d", s.Requests-s.Errors),
		})
	}
	wr.Flush()
	return "\nSample in one second (unix latency throughput):\n" + buf.String()
}

func secondsDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
