import React, { useCallback, useState } from 'react';
import { useApi } from '../../api';
import { testIds } from '../../components/testIds';
import { ClusterPage } from '../ClusterPage';
import { LoadingOrError, partTestIds } from '../LoadingOrError';
import { useClusterPage } from '../useClusterPage';
import { useLoad } from '../useLoad';
import { RunDetail } from './RunDetail';
import { RunList } from './RunList';
import { StartRun } from './StartRun';

// RUNS_LIMIT is how many of the cluster's runs the page lists.
const RUNS_LIMIT = 100;

// Benchmarks: start a benchmark of a cluster (admin) and follow it, list the cluster's runs,
// and look at one (its latency distribution; set or compare with a baseline) or two overlaid
// and compared. The cluster and the selected runs are in the URL (?cluster=, ?runs=a,b).
export function Benchmarks({ canAdmin = false }: { canAdmin?: boolean }) {
  const api = useApi();
  const page = useClusterPage();
  const { cluster } = page;
  const selected = page
    .param('runs')
    .split(',')
    .filter((x) => x !== '');
  // A run that ended reads the list again; the list as last read stays meanwhile.
  const [runsEnded, setRunsEnded] = useState(0);
  const loadRuns = useCallback(() => api.listBenchmarks({ cluster, limit: RUNS_LIMIT }), [api, cluster]);
  const runs = useLoad(cluster ? loadRuns : undefined, runsEnded);

  const toggle = (id: string) => {
    const next = selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id].slice(-2);
    page.set({ runs: next.join(',') });
  };

  return (
    <ClusterPage page={page} pickerId="benchmarks-cluster" testIds={testIds.benchmarks}>
      {canAdmin && <StartRun cluster={cluster} onFinished={() => setRunsEnded((n) => n + 1)} />}
      <LoadingOrError
        load={runs}
        loadingText="Loading the runs…"
        errorTitle="Could not load the runs"
        testIds={partTestIds(testIds.benchmarks, 'runs')}
      />
      {runs.current?.value && <RunList runs={runs.current.value} selected={selected} onToggle={toggle} />}
      {selected.length > 0 && (
        <RunDetail key={selected.join(',')} cluster={cluster} ids={selected} canAdmin={canAdmin} />
      )}
    </ClusterPage>
  );
}

export default Benchmarks;
