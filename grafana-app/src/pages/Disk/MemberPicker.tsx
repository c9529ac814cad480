import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Field, useStyles2 } from '@grafana/ui';
import type { DiskAgent } from '../../api';
import { testIds } from '../../components/testIds';
import { getSelectStyle } from '../selectStyle';

type Props = {
  // agents are the cluster's disk agents; undefined while they load.
  agents?: DiskAgent[];
  member: string;
  onChange: (member: string) => void;
};

// MemberPicker chooses the member whose results the Disk page shows, among the members with an
// agent, or every one of them. A member in the link that has no agent now stays an option, so
// its results still show. Nothing while the agents load or when there are none.
export function MemberPicker({ agents, member, onChange }: Props) {
  const styles = useStyles2(getStyles);
  if (!agents || agents.length === 0) {
    return null;
  }
  return (
    <Field label="Member" htmlFor="disk-member" className={styles.picker} description={agentLine(agents, member)}>
      <select
        id="disk-member"
        className={styles.select}
        value={member}
        onChange={(e) => onChange(e.currentTarget.value)}
        data-testid={testIds.disk.member}
      >
        <option value="">every member with an agent</option>
        {agents.map((a) => (
          <option key={a.member} value={a.member}>
            {a.member}
          </option>
        ))}
        {member && !agents.some((a) => a.member === member) && (
          <option value={member}>{member} (no agent configured now)</option>
        )}
      </select>
    </Field>
  );
}

const AUTH: Record<DiskAgent['auth'], string> = { basic: 'basic auth', mtls: 'client certificate', none: 'no auth' };

// agentLine says where the chosen member's agent is and how opsproxy authenticates to it.
function agentLine(agents: DiskAgent[], member: string): string {
  const a = agents.find((x) => x.member === member);
  if (!a) {
    return `${agents.length} agent${agents.length === 1 ? '' : 's'} configured`;
  }
  return `Agent ${a.url} (${AUTH[a.auth] ?? a.auth})`;
}

const getStyles = (theme: GrafanaTheme2) => ({
  picker: css({ minWidth: 240, maxWidth: 420 }),
  select: getSelectStyle(theme),
});
