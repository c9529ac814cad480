import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, useStyles2 } from '@grafana/ui';
import type { BackupCheck, BackupSummary } from '../../api';
import { testIds } from '../../components/testIds';
import { formatBytes } from '../format';
import { getTableStyles } from '../tableStyles';
import { count, when } from './format';

type Props = { backups: BackupSummary[]; open: string; onOpen: (name: string) => void };

// BackupTable lists a location's backups, newest first: size, revision and keys, and whether the
// stored copy verified and whether a drill restored it; one is opened in the drawer.
export function BackupTable({ backups, open, onOpen }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.table} data-testid={testIds.backups.list}>
      <caption className={styles.caption}>Backups, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Backup</th>
          <th scope="col">Created</th>
          <th scope="col">Size</th>
          <th scope="col">Revision</th>
          <th scope="col">Keys</th>
          <th scope="col">Verified</th>
          <th scope="col">Drill</th>
        </tr>
      </thead>
      <tbody>
        {backups.map((b) => (
          <tr key={b.name} data-testid={testIds.backups.row(b.name)} className={cx(b.name === open && styles.open)}>
            <td className={styles.mono}>
              <Button
                variant="secondary"
                fill="text"
                onClick={() => onOpen(b.name)}
                aria-pressed={b.name === open}
                aria-label={`open backup ${b.name}`}
                data-testid={testIds.backups.open(b.name)}
              >
                {b.name}
              </Button>
            </td>
            <td>{when(b.created_at)}</td>
            <td>
              {formatBytes(b.size)}
              {b.encrypted && b.snapshot_size ? ` (${formatBytes(b.snapshot_size)} snapshot)` : ''}
            </td>
            <td>{count(b.revision)}</td>
            <td>{count(b.key_count)}</td>
            <td data-testid={testIds.backups.verified(b.name)}>
              <Check check={b.verified} what="verified" />
            </td>
            <td data-testid={testIds.backups.drilled(b.name)}>
              <Check check={b.drill} what="drill" showTime />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Check shows a verification or a drill: ✓, or ✗ with why, or a dash when there was none.
export function Check({ check, what, showTime }: { check: BackupCheck | null; what: string; showTime?: boolean }) {
  const styles = useStyles2(getStyles);
  if (!check) {
    return <span aria-label={`no ${what} yet`}>—</span>;
  }
  if (check.ok) {
    return (
      <span className={styles.ok}>
        <span aria-hidden="true">✓</span> {what === 'drill' ? 'restored' : 'ok'}
        {showTime && <> {when(check.at)}</>}
      </span>
    );
  }
  return (
    <span className={styles.failed}>
      <span aria-hidden="true">✗</span> failed{showTime && <> {when(check.at)}</>}
      {check.error && <>: {check.error}</>}
    </span>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...getTableStyles(theme),
  open: css({ background: theme.colors.action.selected }),
  ok: css({ color: theme.colors.success.text }),
  failed: css({ color: theme.colors.error.text }),
});
