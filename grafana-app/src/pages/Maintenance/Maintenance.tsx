import React, { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert } from '@grafana/ui';
import { useApi, type Cluster } from '../../api';
import { testIds } from '../../components/testIds';
import { ClusterPicker } from '../ClusterPicker';
import { ClustersGate } from '../ClustersGate';
import { failure, FailureText, type Failure } from '../failure';
import { Compaction } from './Compaction';
import { DefragPlan } from './DefragPlan';
import { JobActions } from './JobActions';
import { Snapshots } from './Snapshots';

// The cluster list (key: the attempt it was loaded for).
type Loaded = { attempt: number; clusters: Cluster[]; error?: Failure };

// Maintenance: one cluster's compaction, defragmentation and snapshot jobs, its defragmentation
// plan, and the snapshots. The cluster is the URL's ?cluster=, so a link shows the same cluster.
// Every maintenance call of opsproxy needs the admin role: canAdmin false shows the current
// revision only and offers nothing else.
export function Maintenance({ canAdmin = false }: { canAdmin?: boolean }) {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const selected = params.get('cluster') ?? '';
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    api.listClusters().then(
      (clusters) => {
        if (cancelled) {
          return;
        }
        if (!selected && clusters.length > 0) {
          // No cluster in the link: show the first, and say so in the URL.
          setParams({ cluster: clusters[0].name }, { replace: true });
        }
        setLoaded({ attempt, clusters });
      },
      (err) => {
        if (!cancelled) {
          setLoaded({ attempt, clusters: [], error: failure(err) });
        }
      }
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt, selected, setParams]);

  const current = loaded?.attempt === attempt ? loaded : undefined;

  return (
    <div data-testid={testIds.maintenance.page}>
      <ClusterPicker
        id="maintenance-cluster-picker"
        clusters={loaded?.clusters ?? []}
        selected={selected}
        onChange={(cluster) => setParams({ cluster })}
        testId={testIds.maintenance.picker}
      />
      <ClustersGate
        loaded={current !== undefined}
        failure={current?.error && <FailureText f={current.error} />}
        cluster={selected}
        onRetry={() => setAttempt((n) => n + 1)}
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
