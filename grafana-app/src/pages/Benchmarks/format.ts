// Figures of the Benchmarks page.

// seconds prints a latency in ms (or µs below 1 ms).
export function latency(s: number | undefined): string {
  if (s === undefined || !isFinite(s)) {
    return '–';
  }
  if (s < 0.001) {
    return `${(s * 1e6).toFixed(0)} µs`;
  }
  return `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;
}

// rate prints requests per second.
export function rate(r: number | undefined): string {
  return r === undefined || !isFinite(r) ? '–' : `${Math.round(r).toLocaleString('en-US')}/s`;
}

// percent prints a relative change: +12.3 %.
export function percent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
}
