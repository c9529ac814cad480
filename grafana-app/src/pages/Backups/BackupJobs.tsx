import React from 'react';
import { Alert, Badge } from '@grafana/ui';
import { isFinished, type BackupProgress, type Job } from '../../api';
import { testIds } from '../../components/testIds';
import { JobStatusBadge } from '../Jobs/JobStatusBadge';
import { formatBytes } from '../format';
import { FailureText, type Failure } from '../failure';
import type { LiveJob } from './useBackupJobs';

// BackupJobs shows the jobs started from the page, newest first, each with its progress while it
// runs and its outcome once it ends; startError is a start that was refused.
export function BackupJobs({ jobs, startError }: { jobs: LiveJob[]; startError?: Failure }) {
  return (
    <>
      {startError && (
        <Alert title="The job could not start" severity="error" data-testid={testIds.backups.startError}>
          <FailureText f={startError} />
        </Alert>
      )}
      {jobs.length > 0 && (
        <ul aria-label="Jobs started here" data-testid={testIds.backups.jobs}>
          {jobs.map((j) => (
            <li key={j.job.id} data-testid={testIds.backups.job(j.job.id)} aria-live="polite">
              {j.title}: job {j.job.id} <JobStatusBadge job={j.job} />
              {!isFinished(j.job.status) && <Progress job={j.job} />}
              {isFinished(j.job.status) && (
                <span data-testid={testIds.backups.jobOutcome(j.job.id)}> {outcome(j.job)}</span>
              )}
              {j.error && (
                <>
                  {' '}
                  <Badge color="orange" text="no longer followed" /> <FailureText f={j.error} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Progress({ job }: { job: Job }) {
  const p = (job.progress ?? {}) as BackupProgress;
  if (!p.phase && p.bytes === undefined) {
    return null;
  }
  return (
    <>
      {' '}
      — {p.phase ?? 'working'}
      {p.bytes !== undefined && `, ${formatBytes(p.bytes)}`}
    </>
  );
}

// outcome says how a finished job ended: what it made or found, or why it failed.
export function outcome(job: Job): string {
  if (job.status !== 'succeeded') {
    return job.error ?? job.status;
  }
  const r = (job.result ?? {}) as Record<string, unknown>;
  switch (job.kind) {
    case 'backup': {
      // {location, backup: the engine's record, retention}
      const made = (r.backup ?? {}) as { name?: unknown };
      const deleted = ((r.retention ?? {}) as { deleted?: unknown[] }).deleted ?? [];
      const kept = deleted.length > 0 ? ` Retention deleted ${deleted.length} older.` : '';
      return typeof made.name === 'string' ? `Made ${made.name}.${kept}` : 'Done.';
    }
    case 'backup-restore': {
      const dirs = r.data_dirs && typeof r.data_dirs === 'object' ? Object.values(r.data_dirs as object) : [];
      const dir = dirs.join(', ');
      return dir ? `Wrote the new data directory ${dir}.` : 'Done.';
    }
    default:
      if (r.ok === false) {
        return typeof r.error === 'string' ? `Failed: ${r.error}` : 'Failed.';
      }
      return 'Done.';
  }
}
