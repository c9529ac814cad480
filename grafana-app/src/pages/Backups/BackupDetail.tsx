import React, { useCallback, useState } from 'react';
import { Badge, Button, Drawer, Stack, useStyles2 } from '@grafana/ui';
import { useApi, type BackupDetail as Detail, type BackupEvent, type BackupRestore } from '../../api';
import { testIds } from '../../components/testIds';
import { formatBytes } from '../format';
import { LoadingOrError, partTestIds } from '../LoadingOrError';
import { getTableStyles } from '../tableStyles';
import { useLoad } from '../useLoad';
import { Check } from './BackupTable';
import { DownloadBackup } from './DownloadBackup';
import { count, when } from './format';
import { RestoreBackupForm } from './RestoreBackupForm';

type Props = {
  cluster: string;
  location: string;
  name: string;
  canAdmin: boolean;
  // reload changes when a job of the page ended: the backup is read again.
  reload: number;
  onVerify: () => void;
  onDrill: () => void;
  onRestore: (r: BackupRestore) => void;
  onClose: () => void;
};

// BackupDetail is the drawer of one backup: what the engine recorded of it (its source member,
// digests, etcd's snapshot status, what a restore must show), its events (backup, verifications,
// drills, restores), and for an admin verify, drill, download and restore to a new data directory.
export function BackupDetail(props: Props) {
  const { cluster, location, name, reload, onClose } = props;
  const api = useApi();
  // While a reload reads it again, the backup as last read stays.
  const load = useLoad(
    useCallback(() => api.getBackup(cluster, location, name), [api, cluster, location, name]),
    reload
  );
  const detail = load.current?.value;
  return (
    <Drawer title={`Backup ${name}`} subtitle={`location ${location}`} onClose={onClose} size="md">
      <div data-testid={testIds.backups.detail}>
        {detail ? (
          <Body {...props} detail={detail} />
        ) : (
          <LoadingOrError
            load={load}
            loadingText="Loading the backup…"
            errorTitle="Could not load the backup"
            testIds={partTestIds(testIds.backups, 'detail')}
          />
        )}
      </div>
    </Drawer>
  );
}

function Body({ cluster, location, name, canAdmin, detail, onVerify, onDrill, onRestore }: Props & { detail: Detail }) {
  const styles = useStyles2(getTableStyles);
  const [restoring, setRestoring] = useState(false);
  const verified = detail.verified?.ok === true;
  const r = detail.record;
  return (
    <>
      <dl>
        <dt>Created</dt>
        <dd>{when(detail.created_at)}</dd>
        <dt>Size</dt>
        <dd>
          {formatBytes(detail.size)}
          {detail.encrypted && <> (encrypted; the snapshot is {formatBytes(detail.snapshot_size)})</>}
        </dd>
        <dt>Verified</dt>
        <dd>
          <Check check={detail.verified} what="verified" showTime />
        </dd>
        <dt>Drill</dt>
        <dd>
          <Check check={detail.drill} what="drill" showTime />
        </dd>
        {detail.external && (
          <>
            <dt>Made by</dt>
            <dd>another tool (an external location: watched, not written)</dd>
          </>
        )}
      </dl>
      {canAdmin && (
        <Stack gap={1} wrap="wrap">
          <Button variant="secondary" onClick={onVerify} data-testid={testIds.backups.verify}>
            Verify
          </Button>
          <Button
            variant="secondary"
            onClick={onDrill}
            disabled={!verified}
            tooltip={verified ? undefined : 'Only a verified backup is drilled'}
            data-testid={testIds.backups.drill}
          >
            Drill
          </Button>
          <DownloadBackup cluster={cluster} location={location} name={name} />
          <Button
            variant="destructive"
            onClick={() => setRestoring(true)}
            disabled={!verified}
            tooltip={verified ? undefined : 'Only a verified backup is restored'}
            data-testid={testIds.backups.restore}
          >
            Restore to a new data directory…
          </Button>
        </Stack>
      )}
      {restoring && (
        <RestoreBackupForm
          location={location}
          name={name}
          onRestore={(req) => {
            setRestoring(false);
            onRestore(req);
          }}
          onClose={() => setRestoring(false)}
        />
      )}
      {r && (
        <section data-testid={testIds.backups.record} aria-labelledby="backups-record-title">
          <h4 id="backups-record-title">Record</h4>
          <dl>
            <dt>Streamed from</dt>
            <dd>
              member {r.member}, {when(r.started_at)} to {when(r.finished_at)}
              {r.save_seconds ? ` (saved in ${r.save_seconds.toFixed(1)} s)` : ''}
            </dd>
            {r.attempts && r.attempts.length > 0 && (
              <>
                <dt>Failed attempts first</dt>
                <dd>
                  <ul>
                    {r.attempts.map((a, i) => (
                      <li key={i}>
                        {a.member}: {a.error}
                      </li>
                    ))}
                  </ul>
                </dd>
              </>
            )}
            <dt>Snapshot SHA-256</dt>
            <dd className={styles.mono}>{r.sha256}</dd>
            {r.encrypted && (
              <>
                <dt>Stored SHA-256</dt>
                <dd className={styles.mono}>{r.stored_sha256}</dd>
              </>
            )}
            <dt>Snapshot status</dt>
            <dd>
              revision {count(r.status?.revision)}, hash {r.status?.hash ?? '—'}, {count(r.status?.total_keys)} keys in
              every revision, {formatBytes(r.status?.total_size)}
            </dd>
            <dt>A restore must show</dt>
            <dd>
              revision {count(r.restore?.revision)}, HashKV {r.restore?.hash_kv ?? '—'}, {count(r.restore?.key_count)}{' '}
              live keys,{' '}
              {(r.restore?.compact_revision ?? 0) > 0
                ? `compacted at ${count(r.restore?.compact_revision)}`
                : 'never compacted'}
            </dd>
          </dl>
        </section>
      )}
      <Events events={detail.events} />
    </>
  );
}

function Events({ events }: { events: BackupEvent[] }) {
  const styles = useStyles2(getTableStyles);
  if (events.length === 0) {
    return <p>No event is recorded for this backup.</p>;
  }
  return (
    <table className={styles.table} data-testid={testIds.backups.events}>
      <caption className={styles.caption}>Events, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col">Started</th>
          <th scope="col">Outcome</th>
          <th scope="col">Job</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id} data-testid={testIds.backups.event(e.id)}>
            <td>{e.kind}</td>
            <td>{when(e.started_at)}</td>
            <td>
              {e.ok ? <Badge color="green" text="ok" /> : <Badge color="red" text="failed" />}
              {e.error && <> {e.error}</>}
            </td>
            <td className={styles.mono}>{e.job_id ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
