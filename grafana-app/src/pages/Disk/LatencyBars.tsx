import React, { useEffect, useState } from 'react';
import { useTheme2 } from '@grafana/ui';
import type { DiskResult } from '../../api';
import { testIds } from '../../components/testIds';
import { latency } from './format';
import { decodeHdr } from './hdr';
import { bars, unitOf, type Bar } from './histogram';

const W = 720;
const H = 220;
const PAD = 36;

// LatencyBars draws a result's fdatasync latency histogram as bars (1-2-5 bins, counts of
// syncs), those at or over the threshold in the error colour, with the threshold marked. fio
// reports percentiles only: its results have no histogram, and the bars say so.
export function LatencyBars({ result }: { result: DiskResult }) {
  const theme = useTheme2();
  const encoded = result.sync?.histogram ?? '';
  const [read, setRead] = useState<{ bars?: Bar[]; error?: string }>();

  useEffect(() => {
    if (!encoded) {
      return;
    }
    let cancelled = false;
    decodeHdr(encoded).then(
      (h) => !cancelled && setRead({ bars: bars(h, unitOf(h, result.sync.max), result.threshold) }),
      (e) => !cancelled && setRead({ error: e instanceof Error ? e.message : String(e) })
    );
    return () => {
      cancelled = true;
    };
  }, [encoded, result.sync.max, result.threshold]);

  if (!encoded) {
    return (
      <p data-testid={testIds.disk.barsNote}>
        No histogram: {result.engine === 'fio' ? 'fio reports percentiles only.' : 'the result holds none.'}
      </p>
    );
  }
  if (!read) {
    return null;
  }
  if (read.error || !read.bars || read.bars.length === 0) {
    return <p data-testid={testIds.disk.barsNote}>The histogram cannot be shown: {read.error ?? 'it is empty'}.</p>;
  }
  const bs = read.bars;
  const max = Math.max(...bs.map((b) => b.count), 1);
  const step = (W - 2 * PAD) / bs.length;
  const threshold = result.threshold;
  // The threshold's place on the axis: bins are equal widths on a log scale.
  const at = bs.findIndex((b) => threshold >= b.from && threshold < b.to);
  const tx =
    at >= 0
      ? PAD + step * (at + Math.log(threshold / bs[at].from) / Math.log(bs[at].to / bs[at].from))
      : threshold < bs[0].from
        ? PAD
        : W - PAD;
  const total = bs.reduce((n, b) => n + b.count, 0);
  const over = bs.filter((b) => b.from >= threshold).reduce((n, b) => n + b.count, 0);
  return (
    <figure style={{ margin: 0 }}>
      <svg
        width={W}
        height={H}
        role="img"
        aria-label={`fdatasync latency histogram: ${total} syncs, ${over} in bins at or over the ${latency(threshold)} line`}
        data-testid={testIds.disk.bars}
      >
        {bs.map((b, i) => {
          // A bin with syncs stays visible however few they are: the tail is what matters.
          const h = b.count > 0 ? Math.max(2, (b.count / max) * (H - 2 * PAD)) : 0;
          return (
            <g key={b.from} data-testid={testIds.disk.bar(String(b.from))}>
              <rect
                x={PAD + i * step + 1}
                y={H - PAD - h}
                width={step - 2}
                height={h}
                fill={b.from >= threshold ? theme.colors.error.main : theme.colors.success.main}
              >
                <title>{`${latency(b.from)} to ${latency(b.to)}: ${b.count} syncs`}</title>
              </rect>
              <text
                x={PAD + i * step + step / 2}
                y={H - PAD + 14}
                fontSize="10"
                textAnchor="middle"
                fill={theme.colors.text.secondary}
              >
                {latency(b.from)}
              </text>
              {b.count > 0 && (
                <text
                  x={PAD + i * step + step / 2}
                  y={H - PAD - h - 3}
                  fontSize="10"
                  textAnchor="middle"
                  fill={theme.colors.text.primary}
                >
                  {b.count}
                </text>
              )}
            </g>
          );
        })}
        <line x1={tx} x2={tx} y1={PAD / 2} y2={H - PAD} stroke={theme.colors.error.main} strokeDasharray="6 4" />
        <text x={tx + 4} y={PAD / 2 + 8} fontSize="11" fill={theme.colors.error.text}>
          {latency(threshold)} line
        </text>
      </svg>
      <figcaption>
        Syncs per latency bin (each bin from its label to the next); red bins are at or over the line.
      </figcaption>
    </figure>
  );
}
