import React from 'react';
import { Alert, Button } from '@grafana/ui';

type Props = {
  title: string;
  // failure is the failed call as the page words it, most often <FailureText f={…} />.
  failure: React.ReactNode;
  onRetry: () => void;
  testId: string;
  // retryTestId names the Retry button where a test presses it.
  retryTestId?: string;
  // children say more under the failure, such as what a refusal means on this page.
  children?: React.ReactNode;
};

// ErrorWithRetry is the error a page shows when it could not load what it shows, with a Retry
// button that loads it again.
export function ErrorWithRetry({ title, failure, onRetry, testId, retryTestId, children }: Props) {
  return (
    <Alert severity="error" title={title} data-testid={testId}>
      <p>{failure}</p>
      {children}
      <Button variant="secondary" icon="sync" onClick={onRetry} data-testid={retryTestId}>
        Retry
      </Button>
    </Alert>
  );
}
