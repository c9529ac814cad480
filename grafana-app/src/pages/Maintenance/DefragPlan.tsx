import React, { useEffect, useState } from 'react';
import { Alert, Badge, Button, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { useApi, type Endpoint } from '../../api';
import type { DefragStep } from '../../api/maintenance';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { formatBytes } from '../format';
import { failure, FailureText, type Failure } from '../failure';
import { getStyles } from './styles';

type Plan =
  | { kind: 'loading' }
  | { kind: 'loaded'; steps: DefragStep[]; endpoints: Endpoint[] }
  | { kind: 'error'; error: Failure };

// freeable is what defragmenting a member would give back: its database size less the part in
// use, as its endpoint's status answered; undefined when the status did not say.
function freeable(step: DefragStep, endpoints: Endpoint[]): number | undefined {
  const st = endpoints.find((e) => e.endpoint === step.endpoint)?.status;
  const size = step.db_size_before ?? st?.db_size;
  if (size === undefined || st?.db_size_in_use === undefined) {
    return undefined;
  }
  return Math.max(size - st.db_size_in_use, 0);
}

// DefragPlan: opsproxy's dry run of a defragmentation, one member at a time in the order it
// would go (followers first, the leader last), with each database's size and what it would free.
export function DefragPlan({ cluster }: { cluster: string }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<(Exclude<Plan, { kind: 'loading' }> & { attempt: number }) | undefined>(
    undefined
  );

  useEffect(() => {
    let cancelled = false;
    Promise.all([api.defragPlan(cluster), api.clusterEndpoints(cluster).catch(() => undefined)]).then(
      ([steps, endpoints]) =>
        !cancelled && setLoaded({ attempt, kind: 'loaded', steps, endpoints: endpoints?.endpoints ?? [] }),
      (err) => !cancelled && setLoaded({ attempt, kind: 'error', error: failure(err) })
    );
    return () => {
      cancelled = true;
    };
  }, [api, cluster, attempt]);
  const plan: Plan = loaded?.attempt === attempt ? loaded : { kind: 'loading' };
  const load = () => setAttempt((n) => n + 1);

  const frees = plan.kind === 'loaded' ? plan.steps.map((s) => freeable(s, plan.endpoints)) : [];
  const total = frees.every((f) => f !== undefined) ? frees.reduce((a: number, f) => a + (f ?? 0), 0) : undefined;

  return (
    <section className={styles.section} aria-labelledby="maintenance-defrag">
      <h3 id="maintenance-defrag">Defragmentation plan</h3>
      <p className={styles.note}>
        A defragmentation goes one member at a time, followers first and the leader last, each only after its health
        check passes. A member is unavailable while its database is rewritten.
      </p>
      {plan.kind === 'loading' && (
        <div data-testid={testIds.maintenance.defragLoading}>
          <LoadingPlaceholder text="Planning…" />
        </div>
      )}
      {plan.kind === 'error' && (
        <ErrorWithRetry
          title="Could not plan a defragmentation"
          failure={<FailureText f={plan.error} />}
          onRetry={load}
          testId={testIds.maintenance.defragError}
        />
      )}
      {plan.kind === 'loaded' && plan.steps.length === 0 && (
        <Alert severity="info" title="No members to defragment" data-testid={testIds.maintenance.defragEmpty}>
          Cluster {cluster} answered no members.
        </Alert>
      )}
      {plan.kind === 'loaded' && plan.steps.length > 0 && (
        <>
          <table className={styles.table} data-testid={testIds.maintenance.defragPlan}>
            <caption className={styles.caption}>Order of the members</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Member</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Role</th>
                <th scope="col">DB size</th>
                <th scope="col">Would free</th>
              </tr>
            </thead>
            <tbody>
              {plan.steps.map((s, i) => (
                <tr key={s.endpoint} data-testid={testIds.maintenance.defragStep(s.member)}>
                  <td>{i + 1}</td>
                  <td>{s.member || '—'}</td>
                  <td className={styles.mono}>{s.endpoint}</td>
                  <td>{s.leader ? <Badge color="blue" text="leader" /> : 'follower'}</td>
                  <td>{formatBytes(s.db_size_before)}</td>
                  <td>{frees[i] === undefined ? '—' : formatBytes(frees[i])}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className={styles.note}>
            {total === undefined
              ? 'What each member would free is shown where its status answered the size in use.'
              : `In all it would free about ${formatBytes(total)}.`}{' '}
            <Button size="sm" variant="secondary" icon="sync" onClick={load}>
              Plan again
            </Button>
          </p>
        </>
      )}
    </section>
  );
}
