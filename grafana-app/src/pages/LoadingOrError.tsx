import React from 'react';
import { LoadingPlaceholder } from '@grafana/ui';
import { ErrorWithRetry } from './ErrorWithRetry';
import { FailureText } from './failure';
import type { Load } from './useLoad';

// PartIds are the test ids of a part of a page that loads, as testIds.ts names them:
// <part>Loading, <part>Error and <part>Retry.
type PartIds<P extends string> = Record<`${P}Loading` | `${P}Error` | `${P}Retry`, string>;

// partTestIds picks the test ids of the part of a page named part from the page's ids.
export function partTestIds<P extends string>(ids: NoInfer<PartIds<P>>, part: P): Props['testIds'] {
  return { loading: ids[`${part}Loading`], error: ids[`${part}Error`], retry: ids[`${part}Retry`] };
}

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
