import React, { useEffect, useState } from 'react';
import { Alert, Button, ConfirmModal, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { isFinished, useApi, type Job } from '../../api';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { failure, FailureText, type Failure } from '../failure';
import { JobProgress } from './JobProgress';
import { JobStatusBadge } from './JobStatusBadge';
import { getStyles } from './styles';

type Props = { id: string; canAdmin: boolean; onBack: () => void };

// What the page knows of the job, for the attempt it was followed in.
type Followed = { attempt: number; job?: Job; error?: Failure; warning?: Failure };

// JobDetail: one job with who asked, attempts, timings, progress, result and error, kept up to
// date while it runs (the job's event stream, or a read every second where there is none).
// Cancelling is offered to those who may (canAdmin: both kinds need the admin role) while the
// job is open, after a confirmation.
export function JobDetail({ id, canAdmin, onBack }: Props) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [attempt, setAttempt] = useState(0);
  const [followed, setFollowed] = useState<Followed | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [cancelError, setCancelError] = useState<Failure | undefined>(undefined);

  useEffect(() => {
    const ctl = new AbortController();
    api.followJob(
      id,
      {
        onJob: (job) => setFollowed({ attempt, job }),
        onError: (err, final) =>
          setFollowed((f) =>
            final || !f?.job || f.attempt !== attempt
              ? { attempt, error: failure(err) }
              : { ...f, warning: failure(err) }
          ),
      },
      ctl.signal
    );
    return () => ctl.abort();
  }, [api, id, attempt]);

  const current = followed?.attempt === attempt ? followed : undefined;
  const job = current?.job;

  const cancel = async () => {
    setConfirming(false);
    setCancelError(undefined);
    try {
      const after = await api.cancelJob(id);
      setFollowed((f) => (f?.job && !isFinished(f.job.status) ? { ...f, job: after } : f));
    } catch (err) {
      setCancelError(failure(err));
    }
  };

  return (
    <section data-testid={testIds.jobs.detail} aria-labelledby="jobs-detail-title">
      <Button variant="secondary" icon="arrow-left" fill="text" onClick={onBack} data-testid={testIds.jobs.back}>
        All jobs
      </Button>
      <h3 id="jobs-detail-title">
        Job <span className={styles.mono}>{id}</span>
      </h3>
      {!current && (
        <div data-testid={testIds.jobs.detailLoading}>
          <LoadingPlaceholder text="Loading the job…" />
        </div>
      )}
      {current?.error && (
        <ErrorWithRetry
          title="Could not load the job"
          failure={<FailureText f={current.error} />}
          onRetry={() => setAttempt((n) => n + 1)}
          testId={testIds.jobs.detailError}
          retryTestId={testIds.jobs.detailRetry}
        />
      )}
      {current?.warning && job && !isFinished(job.status) && (
        <Alert severity="warning" title="Progress may be late" data-testid={testIds.jobs.detailWarning}>
          <FailureText f={current.warning} />. The page keeps reading the job.
        </Alert>
      )}
      {job && (
        <>
          <dl className={styles.facts}>
            <dt>Status</dt>
            <dd data-testid={testIds.jobs.jobStatus}>
              <JobStatusBadge job={job} />
            </dd>
            <dt>Kind</dt>
            <dd>{job.kind}</dd>
            <dt>Cluster</dt>
            <dd>{job.cluster}</dd>
            <dt>Asked by</dt>
            <dd>{job.requested_by || '—'}</dd>
            <dt>Attempts</dt>
            <dd>{job.attempts ?? 0}</dd>
            <dt>Worker</dt>
            <dd className={styles.mono}>{job.worker || '—'}</dd>
            <dt>Created</dt>
            <dd>{job.created_at || '—'}</dd>
            <dt>Started</dt>
            <dd>{job.started_at || '—'}</dd>
            <dt>Last heartbeat</dt>
            <dd>{job.heartbeat_at || '—'}</dd>
            <dt>Finished</dt>
            <dd>{job.finished_at || '—'}</dd>
            <dt>Took</dt>
            <dd>{took(job)}</dd>
            <dt>Parameters</dt>
            <dd className={styles.mono}>
              {job.parameters && Object.keys(job.parameters).length > 0 ? JSON.stringify(job.parameters) : 'defaults'}
            </dd>
          </dl>
          {job.error && (
            <Alert severity="error" title={`The job ${job.status === 'cancelled' ? 'was cancelled' : 'failed'}`}>
              <span data-testid={testIds.jobs.jobError}>{job.error}</span>
            </Alert>
          )}
          <div className={styles.section}>
            <h4>{isFinished(job.status) ? 'Result' : 'Progress'}</h4>
            <JobProgress job={job} />
          </div>
          {canAdmin && !isFinished(job.status) && (
            <div className={styles.actions}>
              <Button
                variant="destructive"
                icon="times"
                onClick={() => setConfirming(true)}
                disabled={job.cancel_requested}
                data-testid={testIds.jobs.cancel}
              >
                {job.cancel_requested ? 'Cancel asked' : 'Cancel job…'}
              </Button>
            </div>
          )}
          {cancelError && (
            <Alert severity="error" title="Could not cancel the job" data-testid={testIds.jobs.cancelError}>
              <FailureText f={cancelError} />
            </Alert>
          )}
        </>
      )}
      <ConfirmModal
        isOpen={confirming}
        title={`Cancel job ${id}?`}
        body={
          job?.status === 'running'
            ? job.kind === 'defragment'
              ? 'The job stops after the member being defragmented (etcd cannot interrupt a defragmentation); the members done stay done.'
              : 'The job stops at its next heartbeat; a snapshot cancelled half way leaves no file.'
            : 'The job is cancelled before it starts.'
        }
        confirmText="Cancel job"
        dismissText="Keep it"
        onConfirm={cancel}
        onDismiss={() => setConfirming(false)}
      />
    </section>
  );
}

// took is how long the job ran, from its own start and finish times.
function took(job: Job): string {
  if (!job.started_at || !job.finished_at) {
    return '—';
  }
  const ms = Date.parse(job.finished_at) - Date.parse(job.started_at);
  if (!Number.isFinite(ms) || ms < 0) {
    return '—';
  }
  if (ms < 1000) {
    return `${ms} ms`;
  }
  const s = ms / 1000;
  return s < 120 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
