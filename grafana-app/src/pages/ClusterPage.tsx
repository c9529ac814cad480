import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { ClusterPicker } from './ClusterPicker';
import { ClustersGate, type ClustersGateTestIds } from './ClustersGate';
import { FailureText } from './failure';
import type { ClusterPageState } from './useClusterPage';

type Props = {
  page: ClusterPageState;
  // pickerId is the cluster <select>'s id.
  pickerId: string;
  testIds: ClustersGateTestIds & { page: string; cluster: string };
  // beside is the page's own pickers, on the cluster picker's line.
  beside?: React.ReactNode;
  children: React.ReactNode;
};

// ClusterPage is the frame of a page about one cluster: once the clusters have come (see
// ClustersGate), the cluster picker and the page's body for the cluster in the URL.
export function ClusterPage({ page, pickerId, testIds, beside, children }: Props) {
  const styles = useStyles2(getStyles);
  const { cluster, list } = page;
  const picker = (
    <ClusterPicker
      id={pickerId}
      clusters={list.clusters}
      selected={cluster}
      onChange={page.selectCluster}
      testId={testIds.cluster}
    />
  );
  return (
    <div data-testid={testIds.page}>
      <ClustersGate
        loaded={list.current !== undefined}
        failure={list.current?.error && <FailureText f={list.current.error} />}
        cluster={cluster}
        onRetry={list.retry}
        testIds={testIds}
      >
        {beside === undefined ? (
          picker
        ) : (
          <div className={styles.pickers}>
            {picker}
            {beside}
          </div>
        )}
        {children}
      </ClustersGate>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  pickers: css({ display: 'flex', gap: theme.spacing(2), flexWrap: 'wrap' }),
});
