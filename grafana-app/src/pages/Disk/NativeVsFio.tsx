import React from 'react';
import { Button, useStyles2 } from '@grafana/ui';
import type { DiskTestSummary } from '../../api';
import { testIds } from '../../components/testIds';
import { getTableStyles } from '../tableStyles';
import { latency, ratio, when } from './format';

// AGREEMENT is how far native's figures may be from fio's for the two to agree (issue #16).
export const AGREEMENT = 0.15;

export type Pair = { member: string; native?: DiskTestSummary; fio?: DiskTestSummary };

// latestPairs answers, per member, its latest native and latest fio result (results newest first).
export function latestPairs(results: DiskTestSummary[]): Pair[] {
  const pairs = new Map<string, Pair>();
  for (const r of results) {
    const p = pairs.get(r.member) ?? { member: r.member };
    if (r.engine === 'native' || r.engine === 'fio') {
      p[r.engine] = p[r.engine] ?? r;
    }
    pairs.set(r.member, p);
  }
  return [...pairs.values()].sort((a, b) => a.member.localeCompare(b.member));
}

// agreement says whether native's figure is within AGREEMENT of fio's.
function agreement(native: number, fio: number): string {
  if (!(fio > 0) || !(native > 0)) {
    return '';
  }
  const r = native / fio;
  return Math.abs(r - 1) <= AGREEMENT ? 'agree' : r > 1 ? 'native slower' : 'native faster';
}

// compare prints native/fio of a figure and whether the engines agree on it.
function compare(p: Pair, figure: 'p50' | 'p99'): string {
  if (!p.native || !p.fio) {
    return '–';
  }
  const n = p.native[figure];
  const f = p.fio[figure];
  return `${ratio(n / f)} ${agreement(n, f)}`.trim();
}

type Props = { results: DiskTestSummary[]; onOpen: (id: string) => void };

// NativeVsFio sets each member's latest native result beside its latest fio result, with the
// ratios native/fio of p50 and p99: within ±15 % the two engines agree.
export function NativeVsFio({ results, onOpen }: Props) {
  const styles = useStyles2(getTableStyles);
  const pairs = latestPairs(results);
  const side = (r: DiskTestSummary | undefined, engine: string) =>
    r ? (
      <Button
        variant="secondary"
        fill="text"
        onClick={() => onOpen(r.id)}
        aria-label={`open the ${engine} result of ${r.member}`}
      >
        p50 {latency(r.p50)}, p99 {latency(r.p99)} ({r.verdict}, {when(r.started_at)})
      </Button>
    ) : (
      <>no {engine} result yet</>
    );
  return (
    <table className={styles.table} data-testid={testIds.disk.sideBySide}>
      <caption className={styles.caption}>Native beside fio: the latest result of each engine per member</caption>
      <thead>
        <tr>
          <th scope="col">Member</th>
          <th scope="col">Native</th>
          <th scope="col">fio</th>
          <th scope="col">p50 native/fio</th>
          <th scope="col">p99 native/fio</th>
        </tr>
      </thead>
      <tbody>
        {pairs.map((p) => (
          <tr key={p.member} data-testid={testIds.disk.pair(p.member)}>
            <th scope="row">{p.member}</th>
            <td>{side(p.native, 'native')}</td>
            <td>{side(p.fio, 'fio')}</td>
            <td>{compare(p, 'p50')}</td>
            <td>{compare(p, 'p99')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
