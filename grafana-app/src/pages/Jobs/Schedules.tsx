import React, { useEffect, useState } from 'react';
import { Alert, Badge, Button, ConfirmModal, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { useApi, type Cluster, type Schedule, type SchedulePage } from '../../api';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { failure, FailureText, type Failure } from '../failure';
import { ScheduleForm } from './ScheduleForm';
import { getStyles } from './styles';

type Props = { canAdmin: boolean; clusters: Cluster[]; onOpenJob: (id: string) => void };

type Loaded = { attempt: number; schedules: Schedule[]; next?: string; error?: Failure };

// Schedules: the recurring jobs, with when each last fired and the job it started. Admins
// (both kinds need the admin role) create, pause, resume and delete them; deleting asks first.
export function Schedules({ canAdmin, clusters, onOpenJob }: Props) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Schedule | undefined>(undefined);
  const [actionError, setActionError] = useState<Failure | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    api.listSchedules({}).then(
      (page) => !cancelled && setLoaded({ attempt, ...page }),
      (err) => !cancelled && setLoaded({ attempt, schedules: [], error: failure(err) })
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt]);

  const current = loaded?.attempt === attempt ? loaded : undefined;

  const replace = (s: Schedule) =>
    setLoaded((l) => l && { ...l, schedules: l.schedules.map((x) => (x.id === s.id ? s : x)) });

  const act = async (what: () => Promise<void>) => {
    setActionError(undefined);
    try {
      await what();
    } catch (err) {
      setActionError(failure(err));
    }
  };

  const more = (next: string) =>
    act(async () => {
      const page: SchedulePage = await api.listSchedules({}, next);
      setLoaded((l) => l && { ...l, schedules: [...l.schedules, ...page.schedules], next: page.next });
    });

  const remove = (s: Schedule) => {
    setDeleting(undefined);
    return act(async () => {
      await api.deleteSchedule(s.id);
      setLoaded((l) => l && { ...l, schedules: l.schedules.filter((x) => x.id !== s.id) });
    });
  };

  return (
    <section data-testid={testIds.jobs.schedules} aria-label="Schedules">
      {canAdmin && !creating && (
        <Button icon="plus" onClick={() => setCreating(true)} data-testid={testIds.jobs.newSchedule}>
          New schedule
        </Button>
      )}
      {canAdmin && creating && (
        <ScheduleForm
          clusters={clusters}
          onCancel={() => setCreating(false)}
          onCreated={(s) => {
            setCreating(false);
            setLoaded((l) => l && { ...l, schedules: [s, ...l.schedules] });
          }}
        />
      )}
      {!current && (
        <div data-testid={testIds.jobs.schedulesLoading}>
          <LoadingPlaceholder text="Loading the schedules…" />
        </div>
      )}
      {current?.error && (
        <ErrorWithRetry
          title="Could not load the schedules"
          failure={<FailureText f={current.error} />}
          onRetry={() => setAttempt((n) => n + 1)}
          testId={testIds.jobs.schedulesError}
          retryTestId={testIds.jobs.schedulesRetry}
        />
      )}
      {actionError && (
        <Alert severity="error" title="The schedule was not changed" data-testid={testIds.jobs.scheduleActionError}>
          <FailureText f={actionError} />
        </Alert>
      )}
      {current && !current.error && current.schedules.length === 0 && (
        <Alert severity="info" title="No schedules" data-testid={testIds.jobs.schedulesEmpty}>
          No recurring job is scheduled.{canAdmin ? ' “New schedule” adds one.' : ''}
        </Alert>
      )}
      {current && current.schedules.length > 0 && (
        <table className={styles.table}>
          <caption className={styles.caption}>Schedules</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Cluster</th>
              <th scope="col">Cron</th>
              <th scope="col">Time zone</th>
              <th scope="col">State</th>
              <th scope="col">Last fired</th>
              <th scope="col">Missed slots</th>
              <th scope="col">Created by</th>
              {canAdmin && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {current.schedules.map((s) => (
              <tr key={s.id} data-testid={testIds.jobs.schedule(s.id)}>
                <td>{s.name}</td>
                <td>{s.kind}</td>
                <td>{s.cluster}</td>
                <td className={styles.mono}>{s.cron}</td>
                <td>{s.timezone || 'default'}</td>
                <td>{s.paused ? <Badge color="darkgrey" text="paused" /> : <Badge color="green" text="active" />}</td>
                <td>
                  {s.last_slot || 'never'}
                  {s.last_job_id && (
                    <>
                      {' '}
                      <Button
                        size="sm"
                        fill="text"
                        onClick={() => s.last_job_id && onOpenJob(s.last_job_id)}
                        aria-label={`Open job ${s.last_job_id}`}
                      >
                        job {s.last_job_id}
                      </Button>
                    </>
                  )}
                </td>
                <td>{s.missed_slots ?? 0}</td>
                <td>{s.created_by || '—'}</td>
                {canAdmin && (
                  <td>
                    <div className={styles.actions}>
                      {s.paused ? (
                        <Button
                          size="sm"
                          variant="secondary"
                          onClick={() => act(async () => replace(await api.resumeSchedule(s.id)))}
                          aria-label={`Resume schedule ${s.name}`}
                          data-testid={testIds.jobs.resume(s.id)}
                        >
                          Resume
                        </Button>
                      ) : (
                        <Button
                          size="sm"
                          variant="secondary"
                          onClick={() => act(async () => replace(await api.pauseSchedule(s.id)))}
                          aria-label={`Pause schedule ${s.name}`}
                          data-testid={testIds.jobs.pause(s.id)}
                        >
                          Pause
                        </Button>
                      )}
                      <Button
                        size="sm"
                        variant="destructive"
                        onClick={() => setDeleting(s)}
                        aria-label={`Delete schedule ${s.name}`}
                        data-testid={testIds.jobs.deleteSchedule(s.id)}
                      >
                        Delete
                      </Button>
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {current?.next && (
        <Button
          variant="secondary"
          onClick={() => current.next && more(current.next)}
          data-testid={testIds.jobs.schedulesMore}
        >
          More schedules
        </Button>
      )}
      <ConfirmModal
        isOpen={deleting !== undefined}
        title={`Delete schedule ${deleting?.name ?? ''}?`}
        body={`Schedule ${deleting?.name ?? ''} (${deleting?.cron ?? ''} on ${deleting?.cluster ?? ''}) fires no more. Jobs it started stay in the list.`}
        confirmText="Delete"
        onConfirm={() => deleting && remove(deleting)}
        onDismiss={() => setDeleting(undefined)}
      />
    </section>
  );
}
