import React from 'react';
import { LoadingPlaceholder } from '@grafana/ui';
import { ErrorWithRetry } from './ErrorWithRetry';
import { FailureText } from './failure';
import type { Load } from './useLoad';

type Props = {
  load: Load<unknown>;
  // loadingText says what loads ("Loading the results…"), errorTitle that it could not.
  loadingText: string;
  errorTitle: string;
  testIds: { loading: string; error: string; retry: string };
};

// LoadingOrError is what a page shows of something it reads until it has it: that it loads,
// or the failure with a Retry button that reads it again. Once the answer came, nothing.
export function LoadingOrError({ load, loadingText, errorTitle, testIds }: Props) {
  if (!load.current) {
    return (
      <div data-testid={testIds.loading}>
        <LoadingPlaceholder text={loadingText} />
      </div>
    );
  }
  if (load.current.error) {
    return (
      <ErrorWithRetry
        title={errorTitle}
        failure={<FailureText f={load.current.error} />}
        onRetry={load.retry}
        testId={testIds.error}
        retryTestId={testIds.retry}
      />
    );
  }
  return null;
}
