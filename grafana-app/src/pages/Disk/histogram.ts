import type { Hdr } from './hdr';

// The bars of a probe's latency histogram: HDR's fine buckets summed into bins whose edges run
// 1-2-5 from 1 µs to 50 s, so that etcd's 10 ms line falls on an edge.

export type Bar = { from: number; to: number; count: number };

export const EDGES: number[] = (() => {
  const out: number[] = [];
  for (let decade = 1e-6; decade < 100; decade *= 10) {
    for (const m of [1, 2, 5]) {
      out.push(Number((m * decade).toPrecision(1)));
    }
  }
  return out;
})();

// UNITS are the units a histogram may record in: nanoseconds, microseconds, milliseconds, seconds.
const UNITS = [1e-9, 1e-6, 1e-3, 1];

// unitOf finds the unit of a histogram from the largest latency the report gives in seconds:
// the unit that makes the histogram's top bucket nearest to it.
export function unitOf(h: Hdr, maxSeconds: number): number {
  const top = h.buckets.length > 0 ? h.buckets[h.buckets.length - 1] : undefined;
  if (!top || !(maxSeconds > 0)) {
    return 1e-9;
  }
  const topValue = top.low + top.width / 2;
  let best = UNITS[0];
  for (const u of UNITS) {
    if (
      Math.abs(Math.log10(topValue * u) - Math.log10(maxSeconds)) <
      Math.abs(Math.log10(topValue * best) - Math.log10(maxSeconds))
    ) {
      best = u;
    }
  }
  return best;
}

// bars sums the histogram's buckets (in unit seconds) into the EDGES bins, from the first bin
// with a count to the last, widened with empty bins to the one holding include (the threshold)
// so that its line falls on the chart; a value below 1 µs counts in the first bin, above 50 s in
// the last.
export function bars(h: Hdr, unit: number, include?: number): Bar[] {
  const counts = new Array<number>(EDGES.length - 1).fill(0);
  const binOf = (v: number) => {
    const i = EDGES.findIndex((e) => e > v) - 1;
    if (i < 0) {
      return v < EDGES[0] ? 0 : counts.length - 1;
    }
    return Math.min(i, counts.length - 1);
  };
  for (const b of h.buckets) {
    counts[binOf((b.low + b.width / 2) * unit)] += b.count;
  }
  let first = counts.findIndex((n) => n > 0);
  if (first < 0) {
    return [];
  }
  let last = counts.length - 1;
  while (counts[last] === 0) {
    last--;
  }
  if (include !== undefined && include > 0) {
    first = Math.min(first, binOf(include));
    last = Math.max(last, binOf(include));
  }
  const out: Bar[] = [];
  for (let i = first; i <= last; i++) {
    out.push({ from: EDGES[i], to: EDGES[i + 1], count: counts[i] });
  }
  return out;
}
