import React from 'react';
import { useStyles2 } from '@grafana/ui';
import type { Job } from '../../api';
import { testIds } from '../../components/testIds';
import { formatBytes } from '../format';
import { isObject, num, str } from './JobFacts';
import { getStyles } from './styles';

const PHASES: Record<string, string> = {
  saving: 'saving the snapshot into the location',
  verifying: 'reading the stored copy back',
  retention: 'applying retention',
};

// BackupJobProgress shows a backup job (docs/job-kinds.md, "Backup kinds"): the phase under way
// and the bytes saved; once it ends, the backup made (name, size, revision, keys, its
// verification) and what retention deleted. The other backup kinds' results are the engine's
// records, shown field by field.
export function BackupJobProgress({ job }: { job: Job }) {
  const styles = useStyles2(getStyles);
  const p = isObject(job.progress) ? job.progress : {};
  const r = isObject(job.result) ? job.result : undefined;
  const b = r && isObject(r.backup) ? r.backup : undefined;
  const restore = b && isObject(b.restore) ? b.restore : undefined;
  const verification = b && isObject(b.verification) ? b.verification : undefined;
  const retention = r && isObject(r.retention) ? r.retention : undefined;
  const deleted = Array.isArray(retention?.deleted) ? retention.deleted.filter((d) => typeof d === 'string') : [];
  const phase = str(p.phase);
  return (
    <dl className={styles.facts} data-testid={testIds.jobs.kindProgress}>
      {str(r?.location) && (
        <>
          <dt>Location</dt>
          <dd>{str(r?.location)}</dd>
        </>
      )}
      {!b && phase && (
        <>
          <dt>Phase</dt>
          <dd>{PHASES[phase] ?? phase}</dd>
        </>
      )}
      {!b && num(p.bytes) !== undefined && (
        <>
          <dt>Saved</dt>
          <dd>{formatBytes(num(p.bytes))}</dd>
        </>
      )}
      {b && (
        <>
          <dt>Backup</dt>
          <dd className={styles.mono}>{str(b.name) ?? '—'}</dd>
          <dt>Size</dt>
          <dd>{formatBytes(num(b.size))}</dd>
          <dt>Revision</dt>
          <dd>{num(restore?.revision) ?? '—'}</dd>
          <dt>Live keys</dt>
          <dd>{num(restore?.key_count) ?? '—'}</dd>
          <dt>Verified</dt>
          <dd>
            {verification?.ok === true ? '✓' : verification?.ok === false ? `✗ ${str(verification.error) ?? ''}` : '—'}
          </dd>
        </>
      )}
      {retention && (
        <>
          <dt>Retention deleted</dt>
          <dd className={styles.mono}>{deleted.length > 0 ? deleted.join(', ') : 'none'}</dd>
        </>
      )}
    </dl>
  );
}
