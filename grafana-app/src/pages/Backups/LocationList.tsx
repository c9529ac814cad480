import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, useStyles2 } from '@grafana/ui';
import type { BackupLocation, Schedule } from '../../api';
import { testIds } from '../../components/testIds';
import { getTableStyles } from '../tableStyles';
import { duration, when } from './format';

type Props = {
  locations: BackupLocation[];
  // schedules are the jobs system's schedules of the cluster's backup kinds (the configuration's
  // backup, drill and inspect schedules), when they could be read.
  schedules?: Schedule[];
  selected: string;
  onSelect: (name: string) => void;
};

// LocationList lists the cluster's backup locations with their schedules and retention, and
// whether backups in them are encrypted and whether another tool fills them; one is selected
// for its backups.
export function LocationList({ locations, schedules, selected, onSelect }: Props) {
  const styles = useStyles2(getStyles);
  const state = (kind: string, location: string) => (
    <ScheduleState s={schedules?.find((s) => s.kind === kind && s.parameters?.location === location)} />
  );
  return (
    <table className={styles.table} data-testid={testIds.backups.locations}>
      <caption className={styles.caption}>Backup locations</caption>
      <thead>
        <tr>
          <th scope="col">Location</th>
          <th scope="col">Where</th>
          <th scope="col">Schedule</th>
          <th scope="col">Alert after</th>
          <th scope="col">Retention</th>
          <th scope="col">Drills</th>
        </tr>
      </thead>
      <tbody>
        {locations.map((l) => (
          <tr
            key={l.name}
            data-testid={testIds.backups.location(l.name)}
            className={cx(l.name === selected && styles.selected)}
          >
            <td>
              <Button
                variant="secondary"
                fill="text"
                onClick={() => onSelect(l.name)}
                aria-pressed={l.name === selected}
                aria-label={`show the backups in ${l.name}`}
                data-testid={testIds.backups.selectLocation(l.name)}
              >
                {l.name}
              </Button>{' '}
              {l.encrypted ? <Badge color="green" text="encrypted" /> : <Badge color="orange" text="not encrypted" />}{' '}
              {l.external && <Badge color="purple" text="external" />}
            </td>
            <td className={styles.mono}>{l.where}</td>
            <td>
              {l.external ? (
                <>
                  watched {l.inspect_schedule ? <code>{l.inspect_schedule}</code> : 'every 15m'}
                  {state('backup-inspect', l.name)}
                </>
              ) : l.schedule ? (
                <>
                  <code>{l.schedule}</code>
                  {state('backup', l.name)}
                </>
              ) : (
                'none (on demand)'
              )}
            </td>
            <td>{duration(l.max_age_seconds)}</td>
            <td>{retention(l)}</td>
            <td>
              {l.drill_schedule ? (
                <>
                  <code>{l.drill_schedule}</code>
                  {state('backup-drill', l.name)}
                </>
              ) : (
                'on demand'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// ScheduleState says whether a schedule is paused and when it last fired.
function ScheduleState({ s }: { s?: Schedule }) {
  if (!s) {
    return null;
  }
  return (
    <>
      {s.paused && (
        <>
          {' '}
          <Badge color="orange" text="paused" />
        </>
      )}
      <br /> <small>{s.last_slot ? `last fired ${when(s.last_slot)}` : 'not fired yet'}</small>
    </>
  );
}

// retention says what the location keeps: the newest verified backup always, and the policy.
export function retention(l: BackupLocation): string {
  const r = l.retention;
  if (l.external) {
    return 'kept by the tool that fills it';
  }
  const parts: string[] = [];
  if (r?.count) {
    parts.push(`last ${r.count}`);
  }
  if (r?.max_age_seconds) {
    parts.push(`none older than ${duration(r.max_age_seconds)}`);
  }
  return parts.length > 0 ? parts.join(', ') : 'keeps every backup';
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...getTableStyles(theme),
  selected: css({ background: theme.colors.action.selected }),
});
