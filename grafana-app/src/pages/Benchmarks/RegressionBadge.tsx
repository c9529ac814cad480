import React from 'react';
import { Badge, type BadgeColor } from '@grafana/ui';
import type { Comparison } from '../../api';
import { testIds } from '../../components/testIds';
import { percent } from './format';

const COLORS: Record<string, BadgeColor> = { regressed: 'red', improved: 'green', unchanged: 'blue' };

// RegressionBadge shows a comparison's verdict and, per metric, the change of the median with
// its interval.
export function RegressionBadge({ c }: { c: Comparison }) {
  const against = c.baseline_name ? `baseline ${c.baseline_name}` : `run ${c.baseline.id.slice(0, 8)}`;
  return (
    <div data-testid={testIds.benchmarks.regression}>
      <Badge color={COLORS[c.verdict] ?? 'darkgrey'} text={`${c.verdict} against ${against}`} />
      <ul>
        {c.results.map((r) => (
          <li key={r.metric}>
            {r.metric}: {r.verdict}, {percent(r.change)} ({percent(r.low)} to {percent(r.high)})
            {r.note && <> — {r.note}</>}
          </li>
        ))}
      </ul>
    </div>
  );
}
