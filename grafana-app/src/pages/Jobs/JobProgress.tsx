import React from 'react';
import { useStyles2 } from '@grafana/ui';
import type { DefragProgress, Job, SnapshotProgress, SnapshotResult } from '../../api';
import { testIds } from '../../components/testIds';
import { formatBytes } from '../format';
import { DefragMembers } from './DefragMembers';
import { getStyles } from './styles';

// JobProgress shows what a job has done so far and its result, in the shape of its kind
// (docs/job-kinds.md): a defragment job's members, a snapshot's bytes and file; any other
// kind's progress and result as JSON.
export function JobProgress({ job }: { job: Job }) {
  const styles = useStyles2(getStyles);
  if (job.kind === 'defragment') {
    const p = (job.result ?? job.progress ?? {}) as DefragProgress;
    if (!p.members?.length) {
      return <p className={styles.note}>No member has been planned yet.</p>;
    }
    const caption = `${p.dry_run ? 'Plan (dry run)' : 'Members'}${p.rule ? ` — rule ${p.rule}` : ''}`;
    return <DefragMembers members={p.members} caption={caption} />;
  }
  if (job.kind === 'snapshot') {
    const p = (job.progress ?? {}) as SnapshotProgress;
    const r = job.result as SnapshotResult | undefined;
    return (
      <>
        <dl className={styles.facts} data-testid={testIds.jobs.snapshotProgress}>
          <dt>Member</dt>
          <dd>{r?.member || p.member || '—'}</dd>
          <dt>File</dt>
          <dd className={styles.mono}>{r?.name || p.name || '—'}</dd>
          <dt>Written</dt>
          <dd>{formatBytes(r?.size ?? p.bytes_written)}</dd>
        </dl>
        {r && (
          <dl className={styles.facts} data-testid={testIds.jobs.result}>
            <dt>sha256</dt>
            <dd className={styles.mono}>{r.sha256 || '—'}</dd>
            <dt>Revision</dt>
            <dd>{r.status?.revision ?? '—'}</dd>
            <dt>Keys</dt>
            <dd>{r.status?.total_keys ?? '—'}</dd>
            <dt>etcd version</dt>
            <dd>{r.status?.version || '—'}</dd>
          </dl>
        )}
      </>
    );
  }
  return (
    <>
      {job.progress && <pre className={styles.pre}>{JSON.stringify(job.progress, null, 2)}</pre>}
      {job.result && (
        <pre className={styles.pre} data-testid={testIds.jobs.result}>
          {JSON.stringify(job.result, null, 2)}
        </pre>
      )}
    </>
  );
}
