import React from 'react';
import { useTheme2 } from '@grafana/ui';
import type { DiskTestSummary } from '../../api';
import { testIds } from '../../components/testIds';
import { latency, when } from './format';

const W = 720;
const H = 240;
const PAD_L = 64;
const PAD_R = 110;
const PAD_Y = 24;

// HistoryChart draws each member's p99 over time (log scale), a line per member and engine
// (native solid with circles, fio dashed with squares), and the threshold line(s) the results
// were judged against. Plain SVG, so it renders the same in Grafana and the standalone console.
export function HistoryChart({ results }: { results: DiskTestSummary[] }) {
  const theme = useTheme2();
  const palette = theme.visualization.palette.map((c) => theme.visualization.getColorByName(c));
  const points = results
    .map((r) => ({ r, t: new Date(r.started_at).getTime() }))
    .filter((p) => isFinite(p.t) && p.r.p99 > 0)
    .sort((a, b) => a.t - b.t);
  if (points.length === 0) {
    return null;
  }
  const thresholds = [...new Set(results.map((r) => r.threshold).filter((x) => x > 0))];
  const values = [...points.map((p) => p.r.p99), ...thresholds];
  const lo = Math.log10(Math.min(...values) / 1.5);
  const hi = Math.log10(Math.max(...values) * 1.5);
  const t0 = points[0].t;
  const t1 = Math.max(points[points.length - 1].t, t0 + 1);
  const x = (t: number) =>
    points.length === 1 ? (PAD_L + W - PAD_R) / 2 : PAD_L + ((t - t0) * (W - PAD_L - PAD_R)) / (t1 - t0);
  const y = (v: number) => H - PAD_Y - ((Math.log10(v) - lo) / (hi - lo)) * (H - 2 * PAD_Y);
  const members = [...new Set(points.map((p) => p.r.member))].sort();
  const color = (m: string) => palette[members.indexOf(m) % palette.length] ?? theme.colors.primary.main;
  const over = points.filter((p) => p.r.p99 >= p.r.threshold).length;
  const label = `p99 of ${points.length} results over time for ${members.join(', ')}; ${over} at or over the line`;

  return (
    <figure style={{ margin: 0 }}>
      <svg width={W} height={H} role="img" aria-label={label} data-testid={testIds.disk.history}>
        <text x={4} y={PAD_Y - 8} fontSize="11" fill={theme.colors.text.secondary}>
          {latency(Math.pow(10, hi))}
        </text>
        <text x={4} y={H - PAD_Y} fontSize="11" fill={theme.colors.text.secondary}>
          {latency(Math.pow(10, lo))}
        </text>
        <text x={PAD_L} y={H - 6} fontSize="11" fill={theme.colors.text.secondary}>
          {when(new Date(t0).toISOString())}
        </text>
        <text x={W - PAD_R} y={H - 6} fontSize="11" textAnchor="end" fill={theme.colors.text.secondary}>
          {when(new Date(t1).toISOString())}
        </text>
        {thresholds.map((th) => (
          <g key={th} data-testid={testIds.disk.thresholdLine}>
            <line
              x1={PAD_L}
              x2={W - PAD_R}
              y1={y(th)}
              y2={y(th)}
              stroke={theme.colors.error.main}
              strokeDasharray="6 4"
              strokeWidth={1.5}
            />
            <text x={W - PAD_R + 4} y={y(th) + 4} fontSize="11" fill={theme.colors.error.text}>
              {latency(th)} line
            </text>
          </g>
        ))}
        {members.map((m, k) => (
          <g key={m} data-testid={testIds.disk.historySeries(m)}>
            {(['native', 'fio'] as const).map((engine) => {
              const ps = points.filter((p) => p.r.member === m && p.r.engine === engine);
              if (ps.length === 0) {
                return null;
              }
              return (
                <g key={engine}>
                  <polyline
                    fill="none"
                    stroke={color(m)}
                    strokeWidth={1.5}
                    strokeDasharray={engine === 'fio' ? '3 3' : undefined}
                    points={ps.map((p) => `${x(p.t)},${y(p.r.p99)}`).join(' ')}
                  />
                  {ps.map((p) =>
                    engine === 'fio' ? (
                      <rect key={p.r.id} x={x(p.t) - 3} y={y(p.r.p99) - 3} width={6} height={6} fill={color(m)}>
                        <title>{`${m} fio ${when(p.r.started_at)}: p99 ${latency(p.r.p99)}`}</title>
                      </rect>
                    ) : (
                      <circle key={p.r.id} cx={x(p.t)} cy={y(p.r.p99)} r={3.5} fill={color(m)}>
                        <title>{`${m} native ${when(p.r.started_at)}: p99 ${latency(p.r.p99)}`}</title>
                      </circle>
                    )
                  )}
                </g>
              );
            })}
            <text x={W - PAD_R + 4} y={PAD_Y + 14 * k} fontSize="11" fill={color(m)}>
              {m}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>
        p99 fdatasync latency per member over time (log scale); circles native, squares fio; the dashed red line is the
        threshold.
      </figcaption>
    </figure>
  );
}
