import React, { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { ClusterPicker } from '../ClusterPicker';
import { ClustersGate } from '../ClustersGate';
import { failure, FailureText } from '../failure';
import { useClusterList } from '../useClusterList';
import { Compaction } from './Compaction';
import { DefragPlan } from './DefragPlan';
import { JobActions } from './JobActions';
import { Snapshots } from './Snapshots';

// Maintenance: one cluster's compaction, defragmentation and snapshot jobs, its defragmentation
// plan, and the snapshots. The cluster is the URL's ?cluster=, so a link shows the same cluster.
// Every maintenance call of opsproxy needs the admin role: canAdmin false shows the current
// revision only and offers nothing else.
export function Maintenance({ canAdmin = false }: { canAdmin?: boolean }) {
  const [params, setParams] = useSearchParams();
  const selected = params.get('cluster') ?? '';
  const selectFirst = useCallback((cluster: string) => setParams({ cluster }, { replace: true }), [setParams]);
  const { current, clusters, retry } = useClusterList(selected, selectFirst, failure);

  return (
    <div data-testid={testIds.maintenance.page}>
      <ClusterPicker
        id="maintenance-cluster-picker"
        clusters={clusters}
        selected={selected}
        onChange={(cluster) => setParams({ cluster })}
        testId={testIds.maintenance.picker}
      />
      <ClustersGate
        loaded={current !== undefined}
        failure={current?.error && <FailureText f={current.error} />}
        cluster={selected}
        onRetry={retry}
        testIds={testIds.maintenance}
      >
        <Compaction key={`compact ${selected}`} cluster={selected} canAdmin={canAdmin} />
        {canAdmin ? (
          <>
            <JobActions key={`jobs ${selected}`} cluster={selected} />
            <DefragPlan key={`defrag ${selected}`} cluster={selected} />
            <Snapshots cluster={selected} />
          </>
        ) : (
          <Alert severity="info" title="Admin only" data-testid={testIds.maintenance.adminOnly}>
            Compaction, defragmentation and snapshot jobs, the defragmentation plan and snapshots need the Admin role.
          </Alert>
        )}
      </ClustersGate>
    </div>
  );
}

export default Maintenance;
