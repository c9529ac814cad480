import React, { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, ConfirmModal, LoadingPlaceholder, Modal, useStyles2 } from '@grafana/ui';
import { newIdempotencyKey, useApi, type DefragProgress, type Job, type JobKind } from '../../api';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { DefragMembers } from '../Jobs/DefragMembers';
import { failure, FailureText, type Failure } from '../failure';
import { getStyles } from './styles';

type State =
  | { step: 'idle' }
  // planning: the dry-run job is queued or running (planJob once opsproxy answered it).
  | { step: 'planning'; planJob?: Job }
  | { step: 'planned'; planJob: Job; plan: DefragProgress }
  | { step: 'confirmSnapshot' }
  | { step: 'enqueuing'; kind: JobKind }
  | { step: 'started'; job: Job }
  | { step: 'failed'; what: string; error: Failure };

// JobActions: "Defragment now" and "Save snapshot" as jobs (admin). A defragmentation first runs
// as a dry-run job, so the plan shown is the job's own (which members the rule picks, which it
// skips and why); only after the user confirms it is the real job enqueued. Each enqueue has its
// own idempotency key, so a retried request never starts a second job. Both end with a link to
// the job on the Jobs page.
export function JobActions({ cluster }: { cluster: string }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [state, setState] = useState<State>({ step: 'idle' });
  const following = useRef<AbortController | undefined>(undefined);

  useEffect(() => () => following.current?.abort(), []);

  const enqueue = async (kind: JobKind, parameters?: Record<string, unknown>): Promise<Job> =>
    api.enqueueJob({ kind, cluster, parameters, idempotency_key: newIdempotencyKey() });

  const plan = async () => {
    following.current?.abort();
    setState({ step: 'planning' });
    let planJob: Job;
    try {
      planJob = await enqueue('defragment', { dry_run: true });
    } catch (err) {
      setState({ step: 'failed', what: 'Could not plan the defragmentation', error: failure(err) });
      return;
    }
    setState({ step: 'planning', planJob });
    const ctl = new AbortController();
    following.current = ctl;
    api.followJob(
      planJob.id,
      {
        onJob: (job) => {
          if (job.status === 'succeeded') {
            setState({ step: 'planned', planJob: job, plan: (job.result ?? job.progress ?? {}) as DefragProgress });
          } else if (job.status === 'failed' || job.status === 'cancelled') {
            setState({
              step: 'failed',
              what: 'Could not plan the defragmentation',
              error: { message: job.error || `the dry run was ${job.status}` },
            });
          } else {
            setState({ step: 'planning', planJob: job });
          }
        },
        onError: (err, final) => {
          if (final) {
            setState({ step: 'failed', what: 'Could not plan the defragmentation', error: failure(err) });
          }
        },
      },
      ctl.signal
    );
  };

  const start = async (kind: JobKind) => {
    setState({ step: 'enqueuing', kind });
    try {
      setState({ step: 'started', job: await enqueue(kind) });
    } catch (err) {
      const what = kind === 'defragment' ? 'Could not start the defragmentation' : 'Could not start the snapshot';
      setState({ step: 'failed', what, error: failure(err) });
    }
  };

  const busy = state.step === 'planning' || state.step === 'enqueuing';
  const pending = state.step === 'planned' ? (state.plan.members ?? []).filter((m) => m.state === 'pending') : [];

  return (
    <section className={styles.section} aria-labelledby="maintenance-jobs">
      <h3 id="maintenance-jobs">Run as a job</h3>
      <p className={styles.note}>
        A defragmentation or a snapshot runs as a job: it goes on when you leave the page, and the Jobs page shows its
        progress and result.
      </p>
      <div className={styles.buttons}>
        <Button icon="compress-arrows" onClick={plan} disabled={busy} data-testid={testIds.maintenance.defragNow}>
          Defragment now…
        </Button>
        <Button
          icon="save"
          variant="secondary"
          onClick={() => setState({ step: 'confirmSnapshot' })}
          disabled={busy}
          data-testid={testIds.maintenance.saveSnapshot}
        >
          Save snapshot…
        </Button>
      </div>
      {state.step === 'planning' && (
        <div data-testid={testIds.maintenance.jobPlan}>
          <LoadingPlaceholder
            text={
              state.planJob
                ? `Planning: dry-run job ${state.planJob.id} is ${state.planJob.status}…`
                : 'Asking for a dry run…'
            }
          />
        </div>
      )}
      {state.step === 'enqueuing' && <LoadingPlaceholder text="Starting the job…" />}
      {state.step === 'failed' && (
        <Alert severity="error" title={state.what} data-testid={testIds.maintenance.jobError}>
          <FailureText f={state.error} />
        </Alert>
      )}
      {state.step === 'started' && (
        <Alert
          severity="success"
          title={`${state.job.kind === 'defragment' ? 'Defragmentation' : 'Snapshot'} job ${state.job.status}`}
          data-testid={testIds.maintenance.jobStarted}
        >
          <Link
            to={`../${ROUTES.Jobs}?job=${encodeURIComponent(state.job.id)}`}
            relative="path"
            data-testid={testIds.maintenance.jobLink}
          >
            Follow job {state.job.id} on the Jobs page
          </Link>
        </Alert>
      )}
      <Modal
        title={`Defragment cluster ${cluster}?`}
        isOpen={state.step === 'planned'}
        onDismiss={() => setState({ step: 'idle' })}
      >
        {state.step === 'planned' && (
          <>
            <p>
              {pending.length === 0
                ? 'No member needs a defragmentation now: the rule holds for none, or their disks have no room.'
                : `${pending.length} member${pending.length === 1 ? '' : 's'} would be defragmented, one at a time in this order; each is unavailable while its database is rewritten.`}
            </p>
            <DefragMembers members={state.plan.members ?? []} caption={`Plan of dry-run job ${state.planJob.id}`} />
          </>
        )}
        <Modal.ButtonRow>
          <Button variant="secondary" onClick={() => setState({ step: 'idle' })}>
            Not now
          </Button>
          {pending.length > 0 && (
            <Button
              variant="destructive"
              onClick={() => start('defragment')}
              data-testid={testIds.maintenance.defragConfirm}
            >
              Defragment
            </Button>
          )}
        </Modal.ButtonRow>
      </Modal>
      <ConfirmModal
        isOpen={state.step === 'confirmSnapshot'}
        title={`Save a snapshot of cluster ${cluster}?`}
        body="A job saves a snapshot from the first healthy follower (else the leader) into the shared snapshot directory, where it is listed and restorable."
        confirmText="Save snapshot"
        confirmVariant="primary"
        onConfirm={() => start('snapshot')}
        onDismiss={() => setState({ step: 'idle' })}
      />
    </section>
  );
}
