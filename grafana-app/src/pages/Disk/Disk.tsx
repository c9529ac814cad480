import React, { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Field, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { useApi, type DiskAgent, type DiskTestSummary } from '../../api';
import { testIds } from '../../components/testIds';
import { ClusterPicker } from '../ClusterPicker';
import { ClustersGate } from '../ClustersGate';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { failure, FailureText, type Failure } from '../failure';
import { getSelectStyle } from '../selectStyle';
import { useClusterList } from '../useClusterList';
import { HistoryChart } from './HistoryChart';
import { NativeVsFio } from './NativeVsFio';
import { NoAgents } from './NoAgents';
import { ResultDetail } from './ResultDetail';
import { ResultList } from './ResultList';
import { StartProbe } from './StartProbe';

// RESULTS_LIMIT is how many results the page reads: the history chart and the list show them.
export const RESULTS_LIMIT = 200;

// Loaded is what the page read for one cluster (and member): undefined while it loads.
type Loaded<T> = { key: string; value?: T; error?: Failure };

// Disk: probe a member's disk through the diskprobe agent on its host (admin), and read the
// results against etcd's 10 ms line: the history of p99 per member, the latest native and fio
// results side by side, and one result in full (its histogram; set or compare with the
// member's baseline). The cluster, member and open result are in the URL (?cluster=, ?member=,
// ?result=).
export function Disk({ canAdmin = false }: { canAdmin?: boolean }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const cluster = params.get('cluster') ?? '';
  const member = params.get('member') ?? '';
  const open = params.get('result') ?? '';
  const selectCluster = useCallback((c: string) => setParams(new URLSearchParams({ cluster: c })), [setParams]);
  const list = useClusterList(cluster, selectCluster, failure);
  const [agents, setAgents] = useState<Loaded<DiskAgent[]>>();
  const [results, setResults] = useState<Loaded<DiskTestSummary[]>>();
  const [agentsAttempt, setAgentsAttempt] = useState(0);
  const [resultsAttempt, setResultsAttempt] = useState(0);
  const agentsKey = `${cluster}\n${agentsAttempt}`;
  const resultsKey = `${cluster}\n${member}\n${resultsAttempt}`;

  useEffect(() => {
    if (!cluster) {
      return;
    }
    let cancelled = false;
    api.listDiskAgents(cluster).then(
      (value) => !cancelled && setAgents({ key: agentsKey, value }),
      (e) => !cancelled && setAgents({ key: agentsKey, error: failure(e) })
    );
    return () => {
      cancelled = true;
    };
  }, [api, cluster, agentsKey]);

  useEffect(() => {
    if (!cluster) {
      return;
    }
    let cancelled = false;
    api.listDiskTests({ cluster, member: member || undefined, limit: RESULTS_LIMIT }).then(
      (value) => !cancelled && setResults({ key: resultsKey, value }),
      (e) => !cancelled && setResults({ key: resultsKey, error: failure(e) })
    );
    return () => {
      cancelled = true;
    };
  }, [api, cluster, member, resultsKey]);

  const set = (changes: Record<string, string>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) {
        p.set(k, v);
      } else {
        p.delete(k);
      }
    }
    setParams(p);
  };

  const currentAgents = agents?.key === agentsKey ? agents : undefined;
  const currentResults = results?.key === resultsKey ? results : undefined;
  const reloadResults = () => setResultsAttempt((n) => n + 1);

  return (
    <div data-testid={testIds.disk.page}>
      <ClustersGate
        loaded={list.current !== undefined}
        failure={list.current?.error && <FailureText f={list.current.error} />}
        cluster={cluster}
        onRetry={list.retry}
        testIds={testIds.disk}
      >
        <div className={styles.pickers}>
          <ClusterPicker
            id="disk-cluster"
            clusters={list.clusters}
            selected={cluster}
            onChange={selectCluster}
            testId={testIds.disk.cluster}
          />
          {currentAgents?.value && currentAgents.value.length > 0 && (
            <Field
              label="Member"
              htmlFor="disk-member"
              className={styles.picker}
              description={agentLine(currentAgents.value, member)}
            >
              <select
                id="disk-member"
                className={styles.select}
                value={member}
                onChange={(e) => set({ member: e.currentTarget.value, result: '' })}
                data-testid={testIds.disk.member}
              >
                <option value="">every member with an agent</option>
                {currentAgents.value.map((a) => (
                  <option key={a.member} value={a.member}>
                    {a.member}
                  </option>
                ))}
                {member && !currentAgents.value.some((a) => a.member === member) && (
                  <option value={member}>{member} (no agent configured now)</option>
                )}
              </select>
            </Field>
          )}
        </div>
        {!currentAgents && (
          <div data-testid={testIds.disk.agentsLoading}>
            <LoadingPlaceholder text="Loading the disk agents…" />
          </div>
        )}
        {currentAgents?.error && (
          <ErrorWithRetry
            title="Could not load the cluster's disk agents"
            failure={<FailureText f={currentAgents.error} />}
            onRetry={() => setAgentsAttempt((n) => n + 1)}
            testId={testIds.disk.agentsError}
            retryTestId={testIds.disk.agentsRetry}
          />
        )}
        {currentAgents?.value?.length === 0 && <NoAgents cluster={cluster} />}
        {canAdmin && currentAgents?.value && currentAgents.value.length > 0 && (
          <StartProbe
            cluster={cluster}
            member={member}
            agents={currentAgents.value}
            onFinished={reloadResults}
            onOpen={(id) => set({ result: id })}
          />
        )}
        {!currentResults && (
          <div data-testid={testIds.disk.resultsLoading}>
            <LoadingPlaceholder text="Loading the results…" />
          </div>
        )}
        {currentResults?.error && (
          <ErrorWithRetry
            title="Could not load the disk test results"
            failure={<FailureText f={currentResults.error} />}
            onRetry={reloadResults}
            testId={testIds.disk.resultsError}
            retryTestId={testIds.disk.resultsRetry}
          />
        )}
        {currentResults?.value && currentResults.value.length === 0 && (
          <p data-testid={testIds.disk.resultsEmpty}>
            No disk test has run {member ? `on member ${member}` : 'on this cluster'} yet.
          </p>
        )}
        {currentResults?.value && currentResults.value.length > 0 && (
          <>
            <HistoryChart results={currentResults.value} />
            <NativeVsFio results={currentResults.value} onOpen={(id) => set({ result: id })} />
            <ResultList results={currentResults.value} open={open} onOpen={(id) => set({ result: id })} />
          </>
        )}
        {open && <ResultDetail key={open} cluster={cluster} id={open} canAdmin={canAdmin} />}
      </ClustersGate>
    </div>
  );
}

const AUTH: Record<DiskAgent['auth'], string> = { basic: 'basic auth', mtls: 'client certificate', none: 'no auth' };

// agentLine says where the chosen member's agent is and how opsproxy authenticates to it.
function agentLine(agents: DiskAgent[], member: string): string {
  const a = agents.find((x) => x.member === member);
  if (!a) {
    return `${agents.length} agent${agents.length === 1 ? '' : 's'} configured`;
  }
  return `Agent ${a.url} (${AUTH[a.auth] ?? a.auth})`;
}

const getStyles = (theme: GrafanaTheme2) => ({
  pickers: css({ display: 'flex', gap: theme.spacing(2), flexWrap: 'wrap' }),
  picker: css({ minWidth: 240, maxWidth: 420 }),
  select: getSelectStyle(theme),
});

export default Disk;
