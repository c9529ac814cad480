import React from 'react';
import { Badge, useStyles2, type BadgeColor } from '@grafana/ui';
import type { DefragMember } from '../../api';
import { testIds } from '../../components/testIds';
import { formatBytes } from '../format';
import { getStyles } from './styles';

const STATE_COLORS: Record<DefragMember['state'], BadgeColor> = {
  pending: 'blue',
  skipped: 'darkgrey',
  running: 'orange',
  done: 'green',
  failed: 'red',
};

// DefragMembers: a defragment job's members in the order they go, each with its state, why it
// was skipped or failed, and its database size before and after.
export function DefragMembers({ members, caption }: { members: DefragMember[]; caption: string }) {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.table} data-testid={testIds.jobs.members}>
      <caption className={styles.caption}>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Member</th>
          <th scope="col">Endpoint</th>
          <th scope="col">Role</th>
          <th scope="col">State</th>
          <th scope="col">Why</th>
          <th scope="col">DB size before</th>
          <th scope="col">DB size after</th>
        </tr>
      </thead>
      <tbody>
        {members.map((m, i) => (
          <tr key={m.id || m.endpoint || i} data-testid={testIds.jobs.member(m.id)}>
            <td>{i + 1}</td>
            <td>
              {m.name || '—'} <span className={styles.mono}>{m.id}</span>
            </td>
            <td className={styles.mono}>{m.endpoint || '—'}</td>
            <td>{m.leader ? 'leader' : 'follower'}</td>
            <td>
              <Badge color={STATE_COLORS[m.state] ?? 'darkgrey'} text={m.state} />
            </td>
            <td>{m.reason || '—'}</td>
            <td>{formatBytes(m.db_size_before)}</td>
            <td>{formatBytes(m.db_size_after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
