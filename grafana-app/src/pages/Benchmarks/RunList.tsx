import React from 'react';
import { Badge } from '@grafana/ui';
import type { BenchmarkSummary } from '../../api';
import { testIds } from '../../components/testIds';
import { latency, rate } from './format';

type Props = { runs: BenchmarkSummary[]; selected: string[]; onToggle: (id: string) => void };

// RunList lists the cluster's runs, newest first; up to two are selected for the detail (two
// are overlaid and compared).
export function RunList({ runs, selected, onToggle }: Props) {
  if (runs.length === 0) {
    return <p data-testid={testIds.benchmarks.runsEmpty}>No benchmark has run on this cluster yet.</p>;
  }
  return (
    <table data-testid={testIds.benchmarks.runs}>
      <thead>
        <tr>
          <th />
          <th>Started</th>
          <th>Profile</th>
          <th>Command</th>
          <th>Verdict</th>
          <th>Throughput</th>
          <th>p99</th>
          <th>Requests</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} data-testid={testIds.benchmarks.row(r.id)}>
            <td>
              <input
                type="checkbox"
                aria-label={`select run ${r.id}`}
                checked={selected.includes(r.id)}
                onChange={() => onToggle(r.id)}
                data-testid={testIds.benchmarks.select(r.id)}
              />
            </td>
            <td>{new Date(r.started_at).toLocaleString()}</td>
            <td>{r.profile}</td>
            <td>
              {r.command}
              {r.steps > 1 && ` (step ${r.step}/${r.steps})`}
            </td>
            <td>
              {r.verdict && <Badge color={r.verdict === 'pass' ? 'green' : 'red'} text={r.verdict} />}
              {r.partial && <Badge color="orange" text="partial" />}
            </td>
            <td>{rate(r.throughput)}</td>
            <td>{latency(r.latency_p99)}</td>
            <td>{r.requests.toLocaleString('en-US')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
