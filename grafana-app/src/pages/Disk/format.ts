// Figures of the Disk page.
import type { BadgeColor } from '@grafana/ui';
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

// verdictColor is the badge colour of a verdict.
export function verdictColor(v: string | undefined): BadgeColor {
  return v === 'pass' ? 'green' : v === 'warn' ? 'orange' : 'red';
}
