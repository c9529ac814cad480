import React, { useEffect, useRef, useState } from 'react';
import { Alert, Button, Checkbox, Field, TextArea } from '@grafana/ui';
import {
  COMMANDS,
  CUSTOM,
  PROFILES,
  isFinished,
  newIdempotencyKey,
  parseFlags,
  useApi,
  type BenchmarkParameters,
  type BenchmarkProfile,
  type BenchmarkProgress,
  type Job,
} from '../../api';
import { testIds } from '../../components/testIds';
import { failure, FailureText, type Failure } from '../failure';
import { rate } from './format';
import { SamplesChart } from './SamplesChart';

type Props = { cluster: string; onFinished: (job: Job) => void };

// Live is what the page shows of a running benchmark: the job, and the request rate measured
// between two progress reports (the job reports the requests done about once a second).
type Live = { job: Job; rate?: number };

// StartRun starts a benchmark job on the cluster, from a profile or a command with etcd's flags,
// and follows it until it ends.
export function StartRun({ cluster, onFinished }: Props) {
  const api = useApi();
  const [profile, setProfile] = useState<string>('s');
  const [command, setCommand] = useState<string>('put');
  const [flags, setFlags] = useState('--total=10000 --clients=10 --conns=2');
  const [force, setForce] = useState(false);
  const [error, setError] = useState<Failure>();
  const [live, setLive] = useState<Live>();
  const abort = useRef<AbortController>();
  const last = useRef<{ done: number; at: number }>();
  // The profiles read for a cluster; until the current cluster's are read (or if they cannot
  // be), the form offers the built-in names.
  const [read, setRead] = useState<{ cluster: string; profiles?: BenchmarkProfile[]; error?: Failure }>();

  useEffect(() => () => abort.current?.abort(), []);

  useEffect(() => {
    let current = true;
    api.listProfiles(cluster).then(
      (profiles) => current && setRead({ cluster, profiles }),
      (e) => current && setRead({ cluster, error: failure(e) })
    );
    return () => {
      current = false;
    };
  }, [api, cluster]);

  const mine = read?.cluster === cluster ? read : undefined;
  const profilesError = mine?.error;
  const offered = mine?.profiles ?? PROFILES.map((name) => ({ name, description: '', source: 'builtin' as const }));
  // A profile chosen on another cluster that this one does not offer falls back to s.
  const chosen = profile === CUSTOM || offered.some((p) => p.name === profile) ? profile : 's';

  const start = async () => {
    setError(undefined);
    let parameters: BenchmarkParameters;
    try {
      parameters = chosen === CUSTOM ? { command, flags: parseFlags(flags) } : { profile: chosen };
    } catch (e) {
      setError(failure(e));
      return;
    }
    if (force) {
      parameters = { ...parameters, force: true };
    }
    try {
      const job = await api.enqueueJob({
        kind: 'benchmark',
        cluster,
        parameters,
        idempotency_key: newIdempotencyKey(),
      });
      setLive({ job });
      last.current = undefined;
      abort.current?.abort();
      const ctl = new AbortController();
      abort.current = ctl;
      api.followJob(
        job.id,
        {
          onJob(j) {
            const p = (j.progress ?? {}) as BenchmarkProgress;
            const now = Date.now();
            let r: number | undefined;
            if (last.current && p.done !== undefined && now > last.current.at && p.done >= last.current.done) {
              r = ((p.done - last.current.done) * 1000) / (now - last.current.at);
            }
            if (p.done !== undefined) {
              last.current = { done: p.done, at: now };
            }
            setLive((prev) => ({ job: j, rate: r ?? prev?.rate }));
            if (isFinished(j.status)) {
              onFinished(j);
            }
          },
          onError(err, final) {
            if (final) {
              setError(failure(err));
            }
          },
        },
        ctl.signal
      );
    } catch (e) {
      setError(failure(e));
    }
  };

  const running = live && !isFinished(live.job.status);
  const p = (live?.job.progress ?? {}) as BenchmarkProgress;
  // The charts follow the step under way: samples of a step before it (the progress write
  // that starts a step may come before its first second closes) are not drawn.
  const liveSamples = p.samples_step === (p.step ?? 1) ? (p.samples ?? []) : [];
  return (
    <div data-testid={testIds.benchmarks.start}>
      <Field
        label="Profile"
        htmlFor="benchmarks-profile"
        description="An SLO profile (etcdctl check perf's s, m, l, xl; k8s-large; those configured for this cluster), or a command of your own."
      >
        <select
          id="benchmarks-profile"
          value={chosen}
          onChange={(e) => setProfile(e.currentTarget.value)}
          data-testid={testIds.benchmarks.profile}
        >
          {offered.map((x) => (
            <option key={x.name} value={x.name} title={x.description || undefined}>
              {x.source === 'builtin'
                ? x.name
                : `${x.name} (${x.source === 'cluster' ? "this cluster's" : 'configured'})`}
            </option>
          ))}
          <option value={CUSTOM}>custom command</option>
        </select>
      </Field>
      {profilesError && (
        <Alert
          title="Only the built-in profiles are offered"
          severity="warning"
          data-testid={testIds.benchmarks.profilesError}
        >
          <FailureText f={profilesError} />
        </Alert>
      )}
      {chosen === CUSTOM && (
        <>
          <Field label="Command" htmlFor="benchmarks-command">
            <select
              id="benchmarks-command"
              value={command}
              onChange={(e) => setCommand(e.currentTarget.value)}
              data-testid={testIds.benchmarks.command}
            >
              {COMMANDS.map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          </Field>
          <Field
            label="Flags"
            htmlFor="benchmarks-flags"
            description="etcd benchmark's flags, e.g. --total=100000 --clients=100 --conns=10 --rate=5000"
          >
            <TextArea
              id="benchmarks-flags"
              rows={2}
              value={flags}
              onChange={(e) => setFlags(e.currentTarget.value)}
              data-testid={testIds.benchmarks.flags}
            />
          </Field>
        </>
      )}
      <Checkbox
        label="Force (the cluster is protected)"
        value={force}
        onChange={(e) => setForce(e.currentTarget.checked)}
        data-testid={testIds.benchmarks.force}
      />
      <div>
        <Button onClick={start} disabled={!!running} data-testid={testIds.benchmarks.run}>
          Start benchmark
        </Button>
      </div>
      {error && (
        <Alert title="The benchmark could not start" severity="error" data-testid={testIds.benchmarks.startError}>
          <FailureText f={error} />
        </Alert>
      )}
      {live && (
        <div data-testid={testIds.benchmarks.progress}>
          Job {live.job.id}: {live.job.status}
          {p.state === 'cleaning' && ' (waiting for the cluster to delete its keys)'}
          {p.command && (
            <>
              {' '}
              — step {p.step ?? 1} of {p.steps ?? 1} ({p.command}): {(p.done ?? 0).toLocaleString('en-US')} /{' '}
              {(p.total ?? 0).toLocaleString('en-US')} requests
            </>
          )}
          {running && live.rate !== undefined && (
            <span data-testid={testIds.benchmarks.liveRate}> at {rate(live.rate)}</span>
          )}
          {running && liveSamples.length > 0 && (
            <div data-testid={testIds.benchmarks.liveCharts}>
              <SamplesChart
                series={[{ key: live.job.id, samples: liveSamples }]}
                metric="throughput"
                testId={testIds.benchmarks.liveSamples('throughput')}
              />
              <SamplesChart
                series={[{ key: live.job.id, samples: liveSamples }]}
                metric="p99"
                testId={testIds.benchmarks.liveSamples('p99')}
              />
            </div>
          )}
          {isFinished(live.job.status) && (
            <div data-testid={testIds.benchmarks.jobOutcome}>
              {live.job.status === 'succeeded'
                ? 'Finished; its runs are listed below.'
                : (live.job.error ?? live.job.status)}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
