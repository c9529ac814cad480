import React from 'react';
import { useStyles2 } from '@grafana/ui';
import type { DefragProgress, Job, SnapshotProgress, SnapshotResult } from '../../api';
import { testIds } from '../../components/testIds';
import { formatBytes } from '../format';
import { BackupJobProgress } from './BackupJobProgress';
import { BenchmarkJobProgress } from './BenchmarkJobProgress';
import { DefragMembers } from './DefragMembers';
import { DiskTestJobProgress } from './DiskTestJobProgress';
import { JobFacts } from './JobFacts';
import { getStyles } from './styles';

// JobProgress shows what a job has done so far and its result, in the shape of its kind
// (docs/job-kinds.md): a defragment job's members, a snapshot's bytes and file, a benchmark's
// step and requests, a disk test's members, a backup's phase and the backup made. The other
// kinds (the backup kinds that return the engine's record, a newer server's kinds) show their
// progress and result field by field.
export function JobProgress({ job }: { job: Job }) {
  const styles = useStyles2(getStyles);
  switch (job.kind) {
    case 'defragment': {
      const p = (job.result ?? job.progress ?? {}) as DefragProgress;
      if (!Array.isArray(p.members) || p.members.length === 0) {
        return <p className={styles.note}>No member has been planned yet.</p>;
      }
      const caption = `${p.dry_run ? 'Plan (dry run)' : 'Members'}${p.rule ? ` — rule ${p.rule}` : ''}`;
      return <DefragMembers members={p.members} caption={caption} />;
    }
    case 'snapshot': {
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
    case 'benchmark':
      return <BenchmarkJobProgress job={job} />;
    case 'disktest':
      return <DiskTestJobProgress job={job} />;
    case 'backup':
      return <BackupJobProgress job={job} />;
  }
  return (
    <>
      {job.progress !== undefined && job.progress !== null && <JobFacts value={job.progress} />}
      {job.result !== undefined && job.result !== null && <JobFacts value={job.result} testId={testIds.jobs.result} />}
    </>
  );
}
