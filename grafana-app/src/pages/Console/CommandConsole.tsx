import React, { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert, Button, useStyles2 } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { ClusterPicker } from '../ClusterPicker';
import { ClustersGate } from '../ClustersGate';
import { failure, FailureText } from '../failure';
import { useClusterList } from '../useClusterList';
import { HistorySettings } from './HistorySettings';
import { Prompt } from './Prompt';
import { Scrollback } from './Scrollback';
import { getStyles } from './styles';
import { useConsoleHistory } from './useConsoleHistory';
import { useRuns } from './useRuns';
import { useWhoami } from './useWhoami';

// CommandConsole is the Console page: etcdctl command lines run on one cluster through
// opsproxy's console API, with the RBAC and audit of the operations they perform. The cluster is
// in the URL (?cluster=); the scrollback lives as long as the page, the history in the history
// store (shared with `etcd-monitor ctl`).
export function CommandConsole() {
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const cluster = params.get('cluster') ?? '';
  const selectFirst = useCallback(
    (first: string) =>
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          next.set('cluster', first);
          return next;
        },
        { replace: true }
      ),
    [setParams]
  );
  const { current, clusters, retry } = useClusterList(cluster, selectFirst, failure);
  const who = useWhoami();
  const history = useConsoleHistory(cluster);
  const { runs, dropped, busy, run, clear } = useRuns();

  const runLine = (line: string) => {
    history.add(cluster, line);
    void run(cluster, line);
  };

  return (
    <div data-testid={testIds.etcdctl.page}>
      <div className={styles.toolbar}>
        <ClusterPicker
          id="etcdctl-cluster-picker"
          clusters={clusters}
          selected={cluster}
          onChange={(c) => setParams({ cluster: c })}
          testId={testIds.etcdctl.picker}
        />
        <HistorySettings onCleared={history.forget} />
        <Button
          variant="secondary"
          icon="trash-alt"
          onClick={clear}
          disabled={runs.length === 0}
          data-testid={testIds.etcdctl.clear}
        >
          Clear output
        </Button>
      </div>
      {who && (
        <p className={styles.who} data-testid={testIds.etcdctl.who}>
          Commands run as {who.user} with the role {who.role}
          {who.key_prefixes.length > 0 && <> on keys under {who.key_prefixes.join(', ')}</>}; opsproxy refuses and
          audits what the role may not do.
        </p>
      )}
      <ClustersGate
        loaded={current !== undefined}
        failure={current?.error && <FailureText f={current.error} />}
        cluster={cluster}
        onRetry={retry}
        testIds={testIds.etcdctl}
      >
        {history.problem && (
          <Alert
            severity="warning"
            title="The history could not be loaded"
            data-testid={testIds.etcdctl.historyProblem}
          >
            <FailureText f={history.problem} />. The lines run on this page are still kept for ↑/↓ and Ctrl-R.
          </Alert>
        )}
        <section className={styles.terminal} aria-label={`etcdctl console of cluster ${cluster}`}>
          <Scrollback runs={runs} dropped={dropped} />
          {/* A prompt per cluster: its history walk and completion belong to that cluster's. */}
          <Prompt key={cluster} cluster={cluster} history={history.lines} busy={busy} onRun={runLine} />
        </section>
      </ClustersGate>
    </div>
  );
}

export default CommandConsole;
