import React from 'react';
import { Alert } from '@grafana/ui';

// NoClusters is what a page shows when opsproxy answered an empty cluster list for this token.
export function NoClusters({ testId }: { testId: string }) {
  return (
    <Alert severity="info" title="No clusters" data-testid={testId}>
      No clusters are configured in opsproxy, or your token may use none of them.
    </Alert>
  );
}
