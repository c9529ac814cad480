import React, { useCallback } from 'react';
import { useApi } from '../../api';
import { testIds } from '../../components/testIds';
import { ClusterPage } from '../ClusterPage';
import { LoadingOrError, partTestIds } from '../LoadingOrError';
import { useClusterPage } from '../useClusterPage';
import { useLoad } from '../useLoad';
import { HistoryChart } from './HistoryChart';
import { MemberPicker } from './MemberPicker';
import { NativeVsFio } from './NativeVsFio';
import { NoAgents } from './NoAgents';
import { ResultDetail } from './ResultDetail';
import { ResultList } from './ResultList';
import { StartProbe } from './StartProbe';

// RESULTS_LIMIT is how many results the page reads: the history chart and the list show them.
export const RESULTS_LIMIT = 200;

// Disk: probe a member's disk through the diskprobe agent on its host (admin), and read the
// results against etcd's 10 ms line: the history of p99 per member, the latest native and fio
// results side by side, and one result in full (its histogram; set or compare with the
// member's baseline). The cluster, member and open result are in the URL (?cluster=, ?member=,
// ?result=).
export function Disk({ canAdmin = false }: { canAdmin?: boolean }) {
  const api = useApi();
  const page = useClusterPage();
  const { cluster, set } = page;
  const member = page.param('member');
  const open = page.param('result');
  const loadAgents = useCallback(() => api.listDiskAgents(cluster), [api, cluster]);
  const loadResults = useCallback(
    () => api.listDiskTests({ cluster, member: member || undefined, limit: RESULTS_LIMIT }),
    [api, cluster, member]
  );
  const agents = useLoad(cluster ? loadAgents : undefined);
  const results = useLoad(cluster ? loadResults : undefined);
  const agentList = agents.current?.value;
  const resultList = results.current?.value;

  return (
    <ClusterPage
      page={page}
      pickerId="disk-cluster"
      testIds={testIds.disk}
      beside={<MemberPicker agents={agentList} member={member} onChange={(m) => set({ member: m, result: '' })} />}
    >
      <LoadingOrError
        load={agents}
        loadingText="Loading the disk agents…"
        errorTitle="Could not load the cluster's disk agents"
        testIds={partTestIds(testIds.disk, 'agents')}
      />
      {agentList?.length === 0 && <NoAgents cluster={cluster} />}
      {canAdmin && agentList && agentList.length > 0 && (
        <StartProbe
          cluster={cluster}
          member={member}
          agents={agentList}
          // A probe that ended shows loading until the results are read again with it.
          onFinished={results.retry}
          onOpen={(id) => set({ result: id })}
        />
      )}
      <LoadingOrError
        load={results}
        loadingText="Loading the results…"
        errorTitle="Could not load the disk test results"
        testIds={partTestIds(testIds.disk, 'results')}
      />
      {resultList?.length === 0 && (
        <p data-testid={testIds.disk.resultsEmpty}>
          No disk test has run {member ? `on member ${member}` : 'on this cluster'} yet.
        </p>
      )}
      {resultList && resultList.length > 0 && (
        <>
          <HistoryChart results={resultList} />
          <NativeVsFio results={resultList} onOpen={(id) => set({ result: id })} />
          <ResultList results={resultList} open={open} onOpen={(id) => set({ result: id })} />
        </>
      )}
      {open && <ResultDetail key={open} cluster={cluster} id={open} canAdmin={canAdmin} />}
    </ClusterPage>
  );
}

export default Disk;
