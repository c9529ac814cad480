import React from 'react';
import { LoadingPlaceholder } from '@grafana/ui';
import { ErrorWithRetry } from './ErrorWithRetry';
import { NoClusters } from './NoClusters';

export type ClustersGateTestIds = { loading: string; error: string; retry: string; empty: string };

type Props = {
  loaded: boolean;
  // failure is the failed cluster list call as the page words it; undefined when the list came.
  failure?: React.ReactNode;
  // cluster is the one the page shows; empty when the token may use none.
  cluster: string;
  onRetry: () => void;
  testIds: ClustersGateTestIds;
  children: React.ReactNode;
};

// ClustersGate shows a page's body only once the cluster list has come and a cluster is chosen:
// until then, the list loading, the failure to load it with a Retry button, or that there are none.
export function ClustersGate({ loaded, failure, cluster, onRetry, testIds, children }: Props) {
  if (!loaded) {
    return (
      <div data-testid={testIds.loading}>
        <LoadingPlaceholder text="Loading the clusters…" />
      </div>
    );
  }
  if (failure) {
    return (
      <ErrorWithRetry
        title="Could not load the clusters"
        failure={failure}
        onRetry={onRetry}
        testId={testIds.error}
        retryTestId={testIds.retry}
      />
    );
  }
  if (!cluster) {
    return <NoClusters testId={testIds.empty} />;
  }
  return <>{children}</>;
}
