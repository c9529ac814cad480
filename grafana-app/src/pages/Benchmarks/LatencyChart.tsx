import React from 'react';
import { useTheme2 } from '@grafana/ui';
import type { BenchmarkRun } from '../../api';
import { testIds } from '../../components/testIds';
import { latency } from './format';

// The percentiles a report holds, in order (etcd's report's).
const PERCENTILES = ['10', '25', '50', '75', '90', '95', '99', '99.9'];
const W = 560;
const H = 220;
const PAD = 40;

// LatencyChart draws the latency distribution of one or two runs, overlaid: latency (log scale)
// at each percentile. Plain SVG, so it renders the same in Grafana and the standalone console.
export function LatencyChart({ runs }: { runs: BenchmarkRun[] }) {
  const theme = useTheme2();
  const colors = [theme.colors.primary.main, theme.colors.warning.main];
  const values = runs
    .flatMap((r) => PERCENTILES.map((p) => r.report.latency?.percentiles?.[p] ?? 0))
    .filter((v) => v > 0);
  if (values.length === 0) {
    return <p>No latency was recorded.</p>;
  }
  const lo = Math.log10(Math.min(...values));
  const hi = Math.max(Math.log10(Math.max(...values)), lo + 1e-6);
  const x = (i: number) => PAD + (i * (W - 2 * PAD)) / (PERCENTILES.length - 1);
  const y = (v: number) => H - PAD - ((Math.log10(v) - lo) / (hi - lo)) * (H - 2 * PAD);
  return (
    <svg width={W} height={H} role="img" aria-label="Latency distribution" data-testid={testIds.benchmarks.chart}>
      {PERCENTILES.map((p, i) => (
        <text key={p} x={x(i)} y={H - PAD / 3} fontSize="11" textAnchor="middle" fill={theme.colors.text.secondary}>
          p{p}
        </text>
      ))}
      <text x={4} y={PAD - 8} fontSize="11" fill={theme.colors.text.secondary}>
        {latency(Math.pow(10, hi))}
      </text>
      <text x={4} y={H - PAD} fontSize="11" fill={theme.colors.text.secondary}>
        {latency(Math.pow(10, lo))}
      </text>
      {runs.map((r, k) => {
        const pts = PERCENTILES.map((p, i) => [i, r.report.latency?.percentiles?.[p] ?? 0] as const).filter(
          ([, v]) => v > 0
        );
        return (
          <g key={r.id} data-testid={testIds.benchmarks.series(r.id)}>
            <polyline
              fill="none"
              stroke={colors[k % colors.length]}
              strokeWidth={2}
              points={pts.map(([i, v]) => `${x(i)},${y(v)}`).join(' ')}
            />
            <text x={W - PAD} y={PAD - 8 + 14 * k} fontSize="11" textAnchor="end" fill={colors[k % colors.length]}>
              {r.profile} {r.command} {r.id.slice(0, 8)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
