import React, { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert } from '@grafana/ui';
import { useApi, type BenchmarkSummary } from '../../api';
import { testIds } from '../../components/testIds';
import { ClusterPicker } from '../ClusterPicker';
import { ClustersGate } from '../ClustersGate';
import { failure, FailureText, type Failure } from '../failure';
import { useClusterList } from '../useClusterList';
import { RunDetail } from './RunDetail';
import { RunList } from './RunList';
import { StartRun } from './StartRun';

// Benchmarks: start a benchmark of a cluster (admin) and follow it, list the cluster's runs,
// and look at one (its latency distribution; set or compare with a baseline) or two overlaid
// and compared. The cluster and the selected runs are in the URL (?cluster=, ?runs=a,b).
export function Benchmarks({ canAdmin = false }: { canAdmin?: boolean }) {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const cluster = params.get('cluster') ?? '';
  const selected = (params.get('runs') ?? '').split(',').filter((x) => x !== '');
  const selectCluster = useCallback((c: string) => setParams(new URLSearchParams({ cluster: c })), [setParams]);
  const list = useClusterList(cluster, selectCluster, failure);
  const [runs, setRuns] = useState<BenchmarkSummary[]>();
  const [error, setError] = useState<Failure>();
  const [reload, setReload] = useState(0);

  useEffect(() => {
    if (!cluster) {
      return;
    }
    let cancelled = false;
    api.listBenchmarks({ cluster, limit: 100 }).then(
      (rs) => {
        if (!cancelled) {
          setRuns(rs);
          setError(undefined);
        }
      },
      (e) => !cancelled && setError(failure(e))
    );
    return () => {
      cancelled = true;
    };
  }, [api, cluster, reload]);

  const toggle = (id: string) => {
    const next = selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id].slice(-2);
    const p = new URLSearchParams(params);
    if (next.length > 0) {
      p.set('runs', next.join(','));
    } else {
      p.delete('runs');
    }
    setParams(p);
  };

  return (
    <div data-testid={testIds.benchmarks.page}>
      <ClustersGate
        loaded={list.current !== undefined}
        failure={list.current?.error && <FailureText f={list.current.error} />}
        cluster={cluster}
        onRetry={list.retry}
        testIds={testIds.benchmarks}
      >
        <ClusterPicker
          id="benchmarks-cluster"
          clusters={list.clusters}
          selected={cluster}
          onChange={selectCluster}
          testId={testIds.benchmarks.cluster}
        />
        {canAdmin && <StartRun cluster={cluster} onFinished={() => setReload((n) => n + 1)} />}
        {error && (
          <Alert title="Could not load the runs" severity="error" data-testid={testIds.benchmarks.runsError}>
            <FailureText f={error} />
          </Alert>
        )}
        {runs && <RunList runs={runs} selected={selected} onToggle={toggle} />}
        {selected.length > 0 && (
          <RunDetail key={selected.join(',')} cluster={cluster} ids={selected} canAdmin={canAdmin} />
        )}
      </ClustersGate>
    </div>
  );
}

export default Benchmarks;
