// Figures of the Disk page.
export { latency } from '../Benchmarks/format';

// iops prints operations per second.
export function iops(n: number | undefined): string {
  return n === undefined || !isFinite(n) ? '–' : `${Math.round(n).toLocaleString('en-US')} IOPS`;
}

// ratio prints a ratio of two figures: ×1.04.
export function ratio(x: number | undefined): string {
  return x === undefined || !isFinite(x) ? '–' : `×${x.toFixed(2)}`;
}

// when prints a result's time in the reader's locale.
export function when(iso: string): string {
  const d = new Date(iso);
  return isNaN(d.getTime()) ? iso : d.toLocaleString();
}
