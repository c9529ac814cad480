import React, { useEffect, useState } from 'react';
import { Alert, Button, Field, Input } from '@grafana/ui';
import { useApi, type BenchmarkRun, type Comparison } from '../../api';
import { testIds } from '../../components/testIds';
import { failure, FailureText, type Failure } from '../failure';
import { LatencyChart } from './LatencyChart';
import { RegressionBadge } from './RegressionBadge';
import { SamplesChart } from './SamplesChart';
import { latency, rate } from './format';

type Props = { cluster: string; ids: string[]; canAdmin: boolean };

// RunDetail shows the selected runs: their latency distributions overlaid, their figures, and
// with two runs the comparison of the first against the second. With one run, an admin may make
// it a named baseline, and anyone may compare it with a baseline.
export function RunDetail({ cluster, ids, canAdmin }: Props) {
  const api = useApi();
  const [runs, setRuns] = useState<BenchmarkRun[]>([]);
  const [error, setError] = useState<Failure>();
  const [comparison, setComparison] = useState<Comparison>();
  const [name, setName] = useState('golden');
  const [message, setMessage] = useState<React.ReactNode>();
  const key = ids.join(',');

  useEffect(() => {
    // The page keys this component by the selection, so a new selection starts from fresh state.
    let cancelled = false;
    const wanted = key.split(',').filter((x) => x !== '');
    Promise.all(wanted.map((id) => api.getBenchmark(id)))
      .then((rs) => {
        if (cancelled) {
          return;
        }
        setRuns(rs);
        if (rs.length === 2 && rs[0].command === rs[1].command) {
          return api.compareBenchmark(rs[0].id, { run: rs[1].id }).then((c) => !cancelled && setComparison(c));
        }
        return undefined;
      })
      .catch((e) => !cancelled && setError(failure(e)));
    return () => {
      cancelled = true;
    };
  }, [api, key]);

  const setBaseline = async () => {
    try {
      const b = await api.setBaseline(cluster, name, runs[0].id);
      setMessage(<>Baseline {b.name} now points at this run.</>);
    } catch (e) {
      setMessage(<FailureText f={failure(e)} />);
    }
  };
  const compareBaseline = async () => {
    try {
      setComparison(await api.compareBenchmark(runs[0].id, { baseline: name }));
      setMessage(undefined);
    } catch (e) {
      setMessage(<FailureText f={failure(e)} />);
    }
  };

  if (error) {
    return (
      <Alert title="Could not load the run" severity="error" data-testid={testIds.benchmarks.detailError}>
        <FailureText f={error} />
      </Alert>
    );
  }
  const series = runs.map((r) => ({ key: r.id, samples: r.report.samples ?? [] }));
  if (runs.length === 0) {
    return null;
  }
  return (
    <div data-testid={testIds.benchmarks.detail}>
      <LatencyChart runs={runs} />
      <SamplesChart series={series} metric="throughput" />
      <SamplesChart series={series} metric="p99" />
      <ul>
        {runs.map((r) => (
          <li key={r.id}>
            {r.profile} {r.command} {r.id.slice(0, 8)}: {rate(r.report.throughput)}, p50{' '}
            {latency(r.report.latency?.percentiles?.['50'])}, p99 {latency(r.report.latency?.percentiles?.['99'])},
            slowest {latency(r.report.latency?.slowest)}
            {r.report.partial && <> — partial: {r.report.reason}</>}
            {r.report.runner && (
              <>
                {' '}
                (runner {r.report.runner.host}, {r.report.runner.cpus} CPUs, {r.report.runner.cpu_percent.toFixed(0)} %
                CPU)
              </>
            )}
          </li>
        ))}
      </ul>
      {runs.length === 1 && (
        <div>
          <Field label="Baseline name" htmlFor="benchmarks-baseline-name">
            <Input
              id="benchmarks-baseline-name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              data-testid={testIds.benchmarks.baselineName}
            />
          </Field>
          {canAdmin && (
            <Button variant="secondary" onClick={setBaseline} data-testid={testIds.benchmarks.setBaseline}>
              Set as baseline
            </Button>
          )}{' '}
          <Button variant="secondary" onClick={compareBaseline} data-testid={testIds.benchmarks.compareBaseline}>
            Compare with baseline
          </Button>
          {message && <div data-testid={testIds.benchmarks.baselineMessage}>{message}</div>}
        </div>
      )}
      {comparison && <RegressionBadge c={comparison} />}
    </div>
  );
}
