import React, { useEffect, useState } from 'react';
import { Badge, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { useApi, type BackupEvent } from '../../api';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { failure, FailureText, type Failure } from '../failure';
import { getTableStyles } from '../tableStyles';
import { when } from './format';

// EVENTS_LIMIT is how many of a location's latest events the page shows.
export const EVENTS_LIMIT = 20;

type Props = { cluster: string; location: string; reload: number };

// LocationEvents lists a location's latest events: backups (a failed one leaves no backup to
// list, only its event), verifications, drills, inspections, retention and restores.
export function LocationEvents({ cluster, location, reload }: Props) {
  const api = useApi();
  const styles = useStyles2(getTableStyles);
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<{ key: string; events?: BackupEvent[]; error?: Failure }>();
  const key = `${reload}\n${attempt}`;

  useEffect(() => {
    let cancelled = false;
    api.listBackupEvents(cluster, { location, limit: EVENTS_LIMIT }).then(
      (events) => !cancelled && setLoaded({ key, events }),
      (e) => !cancelled && setLoaded({ key, error: failure(e) })
    );
    return () => {
      cancelled = true;
    };
  }, [api, cluster, location, key]);

  const error = loaded?.key === key ? loaded.error : undefined;
  return (
    <section aria-labelledby="backups-events-title">
      <h4 id="backups-events-title">Latest activity in {location}</h4>
      {!loaded && (
        <div data-testid={testIds.backups.activityLoading}>
          <LoadingPlaceholder text="Loading the events…" />
        </div>
      )}
      {error && (
        <ErrorWithRetry
          title={`Could not load the events of ${location}`}
          failure={<FailureText f={error} />}
          onRetry={() => setAttempt((n) => n + 1)}
          testId={testIds.backups.activityError}
          retryTestId={testIds.backups.activityRetry}
        />
      )}
      {loaded?.events?.length === 0 && (
        <p data-testid={testIds.backups.activityEmpty}>Nothing has happened here yet.</p>
      )}
      {loaded?.events && loaded.events.length > 0 && (
        <table className={styles.table} data-testid={testIds.backups.activity}>
          <caption className={styles.caption}>Events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Kind</th>
              <th scope="col">Backup</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {loaded.events.map((e) => (
              <tr key={e.id} data-testid={testIds.backups.activityRow(e.id)}>
                <td>{when(e.started_at)}</td>
                <td>{e.kind}</td>
                <td className={styles.mono}>{e.name || '—'}</td>
                <td>
                  {e.ok ? <Badge color="green" text="ok" /> : <Badge color="red" text="failed" />}
                  {e.error && <> {e.error}</>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
