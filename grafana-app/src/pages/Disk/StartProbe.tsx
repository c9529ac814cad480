import React, { useEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Field, Input, useStyles2 } from '@grafana/ui';
import {
  DISK_PROFILES,
  isFinished,
  newIdempotencyKey,
  useApi,
  type DiskAgent,
  type DiskEngine,
  type DiskProfile,
  type DiskTestParameters,
  type DiskTestProgress,
  type Job,
} from '../../api';
import { testIds } from '../../components/testIds';
import { failure, FailureText, type Failure } from '../failure';
import { getSelectStyle } from '../selectStyle';

type Props = {
  cluster: string;
  member: string;
  agents: DiskAgent[];
  onFinished: () => void;
  // onOpen opens a result a job stored.
  onOpen: (id: string) => void;
};

// ENGINE_CHOICES: "both" runs the native probe, then fio with the same job, as two jobs one after
// the other (an agent runs one probe at a time).
const ENGINE_CHOICES = ['native', 'fio', 'both'] as const;
type EngineChoice = (typeof ENGINE_CHOICES)[number];

const PROFILE_HELP: Record<DiskProfile, string> = {
  etcd: "etcd's documented fio check: 22 MiB of 2,300-byte writes, each followed by fdatasync",
  openshift: "OpenShift's etcd-perf: 8,000-byte writes for 60 s",
  agent: "the agent's small periodic probe: 2 MiB of 2,300-byte writes",
};

// Step is one job of a start: its engine and, once enqueued, the job as last read.
type Step = { engine: DiskEngine; job?: Job; note?: string };

// parseThreshold reads the threshold in milliseconds; the error names the field.
export function parseThreshold(text: string): number {
  const ms = Number(text.trim());
  if (text.trim() === '' || !isFinite(ms) || ms <= 0 || ms > 10_000) {
    throw new Error(`threshold: "${text}" is not a latency in milliseconds between 0 and 10000`);
  }
  return ms / 1000;
}

// StartProbe starts disk tests (admin): on the member picked on the page, or every member with
// an agent one after another, with the native engine, fio or both, and follows their jobs.
export function StartProbe({ cluster, member, agents, onFinished, onOpen }: Props) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [engine, setEngine] = useState<EngineChoice>('native');
  const [profile, setProfile] = useState<DiskProfile>('etcd');
  const [threshold, setThreshold] = useState('10');
  const [error, setError] = useState<Failure>();
  const [cancelError, setCancelError] = useState<Failure>();
  const [steps, setSteps] = useState<Step[]>([]);
  const abort = useRef<AbortController>();

  useEffect(() => () => abort.current?.abort(), []);

  const running = steps.some((s) => !s.job || !isFinished(s.job.status)) && !steps.some((s) => s.note);

  // follow enqueues the step at index i and follows its job; when it succeeds the next step starts.
  const follow = async (
    plan: DiskEngine[],
    i: number,
    params: Omit<DiskTestParameters, 'engine'>,
    signal: AbortSignal
  ) => {
    const update = (s: Partial<Step>) => setSteps((prev) => prev.map((x, k) => (k === i ? { ...x, ...s } : x)));
    let job: Job;
    try {
      job = await api.enqueueJob({
        kind: 'disktest',
        cluster,
        parameters: { ...params, engine: plan[i] },
        idempotency_key: newIdempotencyKey(),
      });
    } catch (e) {
      // Neither this job nor those after it start.
      setSteps((prev) => prev.map((x, k) => (k >= i ? { ...x, note: 'not started' } : x)));
      setError(failure(e));
      return;
    }
    if (signal.aborted) {
      return;
    }
    update({ job });
    api.followJob(
      job.id,
      {
        onJob(j) {
          update({ job: j });
          if (!isFinished(j.status)) {
            return;
          }
          onFinished();
          if (i + 1 < plan.length) {
            if (j.status === 'succeeded') {
              void follow(plan, i + 1, params, signal);
            } else {
              setSteps((prev) =>
                prev.map((x, k) => (k === i + 1 ? { ...x, note: `not started: the ${plan[i]} job ${j.status}` } : x))
              );
            }
          }
        },
        onError(err, final) {
          if (final) {
            setError(failure(err));
            setSteps((prev) =>
              prev.map((x, k) =>
                k === i ? { ...x, note: 'no longer followed' } : k > i ? { ...x, note: 'not started' } : x
              )
            );
          }
        },
      },
      signal
    );
  };

  // cancel asks for the job's cancel: the agent's probe stops and removes its directory, and a
  // job after it (fio after native) does not start.
  const cancel = async (id: string) => {
    setCancelError(undefined);
    try {
      const j = await api.cancelJob(id);
      setSteps((prev) =>
        prev.map((x) => (x.job?.id === id && !isFinished(x.job.status) ? { ...x, job: { ...x.job, ...j } } : x))
      );
    } catch (e) {
      setCancelError(failure(e));
    }
  };

  const start = () => {
    setError(undefined);
    let seconds: number;
    try {
      seconds = parseThreshold(threshold);
    } catch (e) {
      setError(failure(e));
      return;
    }
    const plan: DiskEngine[] = engine === 'both' ? ['native', 'fio'] : [engine];
    abort.current?.abort();
    const ctl = new AbortController();
    abort.current = ctl;
    setSteps(plan.map((e) => ({ engine: e })));
    void follow(plan, 0, { member, profile, block_size: 0, size: 0, duration: '', threshold: seconds }, ctl.signal);
  };

  const target = member ? `member ${member}` : `every member with an agent (${agents.map((a) => a.member).join(', ')})`;
  return (
    <section data-testid={testIds.disk.start} aria-labelledby="disk-start-title" className={styles.form}>
      <h3 id="disk-start-title">Probe {target}</h3>
      <div className={styles.row}>
        <Field label="Engine" htmlFor="disk-engine" description="Both: native, then fio with the same job.">
          <select
            id="disk-engine"
            className={styles.select}
            value={engine}
            onChange={(e) => setEngine(e.currentTarget.value as EngineChoice)}
            data-testid={testIds.disk.engine}
          >
            {ENGINE_CHOICES.map((x) => (
              <option key={x} value={x}>
                {x === 'both' ? 'native and fio' : x}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Profile" htmlFor="disk-profile" description={PROFILE_HELP[profile]}>
          <select
            id="disk-profile"
            className={styles.select}
            value={profile}
            onChange={(e) => setProfile(e.currentTarget.value as DiskProfile)}
            data-testid={testIds.disk.profile}
          >
            {DISK_PROFILES.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Threshold (ms)" htmlFor="disk-threshold" description="The p99 fdatasync line; etcd's is 10 ms.">
          <Input
            id="disk-threshold"
            width={12}
            value={threshold}
            onChange={(e) => setThreshold(e.currentTarget.value)}
            data-testid={testIds.disk.threshold}
          />
        </Field>
      </div>
      <Button onClick={start} disabled={running} data-testid={testIds.disk.run}>
        Start disk test
      </Button>
      {error && (
        <Alert title="The disk test could not start" severity="error" data-testid={testIds.disk.startError}>
          <FailureText f={error} />
        </Alert>
      )}
      {steps.length > 0 && (
        <ul data-testid={testIds.disk.progress} aria-live="polite">
          {steps.map((s) => (
            <li key={s.engine} data-testid={s.job ? testIds.disk.job(s.job.id) : undefined}>
              {s.engine}: <StepText step={s} onOpen={onOpen} />
              {s.job && !isFinished(s.job.status) && !s.note && (
                <>
                  {' '}
                  <Button
                    variant="destructive"
                    fill="text"
                    icon="times"
                    onClick={() => cancel(s.job!.id)}
                    disabled={s.job.cancel_requested}
                    data-testid={testIds.disk.cancel}
                  >
                    {s.job.cancel_requested ? 'Cancel asked' : 'Cancel'}
                  </Button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {cancelError && (
        <Alert title="Could not cancel the job" severity="error" data-testid={testIds.disk.cancelError}>
          <FailureText f={cancelError} />
        </Alert>
      )}
      {steps.length > 0 && steps.every((s) => s.note || (s.job && isFinished(s.job.status))) && (
        <div data-testid={testIds.disk.jobOutcome}>
          {steps.every((s) => s.job?.status === 'succeeded')
            ? 'Finished; the results are below.'
            : 'Finished with a problem: see each job above.'}
        </div>
      )}
    </section>
  );
}

function StepText({ step, onOpen }: { step: Step; onOpen: (id: string) => void }) {
  if (step.note && !step.job) {
    return <>{step.note}</>;
  }
  if (!step.job) {
    return <>waiting</>;
  }
  const j = step.job;
  const p = (j.progress ?? {}) as DiskTestProgress;
  return (
    <>
      job {j.id} {j.status}
      {p.total !== undefined && (
        <>
          {' '}
          — {p.done ?? 0} of {p.total} member{p.total === 1 ? '' : 's'} probed
          {j.status === 'running' && p.member && <>, probing {p.member}</>}
        </>
      )}
      {j.error && <>: {j.error}</>}
      {step.note && <> ({step.note})</>}
      {p.results && p.results.length > 0 && (
        <>
          {' '}
          — stored:{' '}
          {p.results.map((r) => (
            <Button
              key={r.result}
              variant="secondary"
              fill="text"
              onClick={() => onOpen(r.result)}
              data-testid={testIds.disk.jobResult(r.result)}
            >
              {r.member} {r.verdict ?? ''}
            </Button>
          ))}
        </>
      )}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ margin: theme.spacing(2, 0), maxWidth: 900 }),
  row: css({ display: 'flex', gap: theme.spacing(2), flexWrap: 'wrap' }),
  select: getSelectStyle(theme),
});
