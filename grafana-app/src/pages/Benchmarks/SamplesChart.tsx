import React from 'react';
import { useTheme2 } from '@grafana/ui';
import type { Sample } from '../../api';
import { testIds } from '../../components/testIds';
import { latency, rate } from './format';

const W = 560;
const H = 160;
const PAD = 40;

// SampleSeries is one run's per-second samples, keyed by the run (or the running job).
export type SampleSeries = { key: string; samples: Sample[] };

type Props = { series: SampleSeries[]; metric: 'throughput' | 'p99'; testId?: string };

// SamplesChart draws the per-second throughput or p99 of one or two runs, overlaid, second by
// second from the start of each run's load: the figures the regression test compares, and,
// while a run goes on, its samples so far.
export function SamplesChart({ series: runs, metric, testId }: Props) {
  const theme = useTheme2();
  const colors = [theme.colors.primary.main, theme.colors.warning.main];
  const value = (s: Sample) => (metric === 'throughput' ? s.throughput : s.p99);
  const series = runs.map((r) => r.samples.filter((s) => metric === 'throughput' || s.requests > 0));
  const all = series.flat();
  if (all.length === 0) {
    return null;
  }
  const maxX = Math.max(1, ...all.map((s) => s.second));
  const maxY = Math.max(...all.map(value)) || 1;
  const x = (sec: number) => PAD + (sec * (W - 2 * PAD)) / maxX;
  const y = (v: number) => H - PAD / 2 - (v / maxY) * (H - PAD);
  const label =
    metric === 'throughput' ? `throughput per second (max ${rate(maxY)})` : `p99 per second (max ${latency(maxY)})`;
  return (
    <svg width={W} height={H} role="img" aria-label={label} data-testid={testId ?? testIds.benchmarks.samples(metric)}>
      <text x={PAD} y={12} fontSize="11" fill={theme.colors.text.secondary}>
        {label}
      </text>
      {series.map((ss, k) => (
        <polyline
          key={runs[k].key}
          fill="none"
          stroke={colors[k % colors.length]}
          strokeWidth={1.5}
          points={ss.map((s) => `${x(s.second)},${y(value(s))}`).join(' ')}
        />
      ))}
    </svg>
  );
}
