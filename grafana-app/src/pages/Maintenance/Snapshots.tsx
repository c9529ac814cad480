import React, { useEffect, useState } from 'react';
import { Alert, Button, LoadingPlaceholder, Stack, useStyles2 } from '@grafana/ui';
import { useApi } from '../../api';
import type { Snapshot } from '../../api/maintenance';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { formatBytes } from '../format';
import { failure, FailureText, type Failure } from '../failure';
import { RestoreForm } from './RestoreForm';
import { getStyles } from './styles';

type List = { kind: 'loading' } | { kind: 'loaded'; snapshots: Snapshot[] } | { kind: 'error'; error: Failure };

// What a snapshot's status call answered, by snapshot name.
type StatusOf = Record<
  string,
  { kind: 'loading' } | { kind: 'loaded'; snapshot: Snapshot } | { kind: 'error'; error: Failure }
>;

// Snapshots: the snapshot files in opsproxy's snapshot directory that the token may use, those
// of cluster first; each one's status read with etcd's snapshot code, and a restore into a new
// data directory.
export function Snapshots({ cluster }: { cluster: string }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<(Exclude<List, { kind: 'loading' }> & { attempt: number }) | undefined>(
    undefined
  );
  const [status, setStatus] = useState<StatusOf>({});
  const [restoring, setRestoring] = useState<string | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    api.listSnapshots().then(
      (snapshots) => !cancelled && setLoaded({ attempt, kind: 'loaded', snapshots }),
      (err) => !cancelled && setLoaded({ attempt, kind: 'error', error: failure(err) })
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt]);
  const list: List = loaded?.attempt === attempt ? loaded : { kind: 'loading' };
  const load = () => setAttempt((n) => n + 1);

  const readStatus = async (name: string) => {
    setStatus((s) => ({ ...s, [name]: { kind: 'loading' } }));
    try {
      const snapshot = await api.snapshotStatus(name);
      setStatus((s) => ({ ...s, [name]: { kind: 'loaded', snapshot } }));
    } catch (err) {
      setStatus((s) => ({ ...s, [name]: { kind: 'error', error: failure(err) } }));
    }
  };

  const snapshots =
    list.kind === 'loaded'
      ? [...list.snapshots].sort((a, b) => Number(b.cluster === cluster) - Number(a.cluster === cluster))
      : [];

  return (
    <section className={styles.section} aria-labelledby="maintenance-snapshots">
      <h3 id="maintenance-snapshots">Snapshots</h3>
      {list.kind === 'loading' && (
        <div data-testid={testIds.maintenance.snapshotsLoading}>
          <LoadingPlaceholder text="Loading the snapshots…" />
        </div>
      )}
      {list.kind === 'error' && (
        <ErrorWithRetry
          title="Could not list the snapshots"
          failure={<FailureText f={list.error} />}
          onRetry={load}
          testId={testIds.maintenance.snapshotsError}
          retryTestId={testIds.maintenance.snapshotsRetry}
        />
      )}
      {list.kind === 'loaded' && snapshots.length === 0 && (
        <Alert severity="info" title="No snapshots" data-testid={testIds.maintenance.snapshotsEmpty}>
          opsproxy&apos;s snapshot directory holds no snapshot your token may use.
        </Alert>
      )}
      {snapshots.length > 0 && (
        <table className={styles.table} data-testid={testIds.maintenance.snapshots}>
          <caption className={styles.caption}>Snapshot files</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Cluster</th>
              <th scope="col">Member</th>
              <th scope="col">Size</th>
              <th scope="col">Saved</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {snapshots.map((s) => (
              <tr key={s.name} data-testid={testIds.maintenance.snapshot(s.name)}>
                <td className={styles.mono}>{s.name}</td>
                <td>{s.cluster || '(not recorded)'}</td>
                <td>{s.member || '—'}</td>
                <td>{formatBytes(s.size)}</td>
                <td>{s.mod_time ?? '—'}</td>
                <td>
                  <SnapshotStatusCell name={s.name} status={status[s.name]} />
                </td>
                <td>
                  <Stack gap={1}>
                    <Button
                      size="sm"
                      variant="secondary"
                      onClick={() => readStatus(s.name)}
                      data-testid={testIds.maintenance.status(s.name)}
                    >
                      Status
                    </Button>
                    <Button
                      size="sm"
                      variant="secondary"
                      onClick={() => setRestoring(s.name)}
                      data-testid={testIds.maintenance.restore(s.name)}
                    >
                      Restore…
                    </Button>
                  </Stack>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {restoring && <RestoreForm key={restoring} snapshot={restoring} onClose={() => setRestoring(undefined)} />}
    </section>
  );
}

function SnapshotStatusCell({ name, status }: { name: string; status: StatusOf[string] | undefined }) {
  if (!status) {
    return <>—</>;
  }
  if (status.kind === 'loading') {
    return <LoadingPlaceholder text="Reading…" />;
  }
  if (status.kind === 'error') {
    return (
      <span role="alert" data-testid={testIds.maintenance.statusResult(name)}>
        <FailureText f={status.error} />
      </span>
    );
  }
  const st = status.snapshot.status;
  return (
    <dl data-testid={testIds.maintenance.statusResult(name)}>
      <dt>Revision</dt>
      <dd>{st?.revision ?? '—'}</dd>
      <dt>Hash</dt>
      <dd>{st?.hash ?? '—'}</dd>
      <dt>Total keys</dt>
      <dd>{st?.total_keys ?? '—'}</dd>
      <dt>Total size</dt>
      <dd>{st ? formatBytes(st.total_size) : '—'}</dd>
      {status.snapshot.sha256 && (
        <>
          <dt>SHA-256</dt>
          <dd>{status.snapshot.sha256}</dd>
        </>
      )}
    </dl>
  );
}
