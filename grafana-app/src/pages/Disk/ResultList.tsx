import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, useStyles2 } from '@grafana/ui';
import type { DiskTestSummary } from '../../api';
import { testIds } from '../../components/testIds';
import { getTableStyles } from '../tableStyles';
import { iops, latency, verdictColor, when } from './format';

type Props = { results: DiskTestSummary[]; open: string; onOpen: (id: string) => void };

// ResultList lists the results, newest first, each with its verdict against its threshold; one
// is opened in full.
export function ResultList({ results, open, onOpen }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.table} data-testid={testIds.disk.results}>
      <caption className={styles.caption}>Results, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Member</th>
          <th scope="col">Engine</th>
          <th scope="col">Profile</th>
          <th scope="col">Verdict</th>
          <th scope="col">p50</th>
          <th scope="col">p99</th>
          <th scope="col">Max</th>
          <th scope="col">IOPS</th>
          <th scope="col">Filesystem</th>
        </tr>
      </thead>
      <tbody>
        {results.map((r) => (
          <tr key={r.id} data-testid={testIds.disk.row(r.id)} className={cx(r.id === open && styles.open)}>
            <td>
              <Button
                variant="secondary"
                fill="text"
                onClick={() => onOpen(r.id)}
                aria-pressed={r.id === open}
                aria-label={`open the ${r.engine} result of ${r.member} started ${when(r.started_at)}`}
                data-testid={testIds.disk.open(r.id)}
              >
                {when(r.started_at)}
              </Button>
            </td>
            <td>{r.member}</td>
            <td>{r.engine}</td>
            <td>{r.profile}</td>
            <td>
              <Badge color={verdictColor(r.verdict)} text={`${r.verdict} (line ${latency(r.threshold)})`} />
              {r.partial && <Badge color="orange" text="partial" />}
            </td>
            <td>{latency(r.p50)}</td>
            <td>{latency(r.p99)}</td>
            <td>{latency(r.max)}</td>
            <td>{iops(r.iops)}</td>
            <td>{r.filesystem}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...getTableStyles(theme),
  open: css({ background: theme.colors.action.selected }),
});
