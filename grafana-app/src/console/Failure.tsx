import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Stack, useStyles2 } from '@grafana/ui';
import { ApiError } from '../api';
import { consoleTestIds } from './testIds';

// describe says what went wrong when asking opsproxy who the token is: the token refused (401),
// opsproxy not answering (status 0), or another answer.
export function describe(err: unknown): { title: string; message: string; requestId?: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ApiError) {
    if (err.status === 401) {
      return { title: 'opsproxy refused this token', message, requestId: err.requestId };
    }
    if (err.status === 0) {
      return { title: 'opsproxy is not answering', message };
    }
    return { title: `opsproxy answered ${err.status}`, message, requestId: err.requestId };
  }
  return { title: 'The console could not start', message };
}

// Failure shows why the console cannot show its pages, with a retry and a way back to sign-in.
export function Failure({ err, onRetry, onSignOut }: { err: unknown; onRetry: () => void; onSignOut: () => void }) {
  const styles = useStyles2(getStyles);
  const d = describe(err);
  return (
    <main className={styles.page}>
      <h1 className={styles.heading}>etcd-monitor console</h1>
      <Alert severity="error" title={d.title} data-testid={consoleTestIds.failure.panel}>
        <p>
          {d.message}
          {d.requestId && <> (request {d.requestId})</>}
        </p>
        <Stack gap={1}>
          <Button variant="secondary" icon="sync" onClick={onRetry} data-testid={consoleTestIds.failure.retry}>
            Retry
          </Button>
          <Button variant="secondary" onClick={onSignOut} data-testid={consoleTestIds.failure.signInAgain}>
            Sign in with another token
          </Button>
        </Stack>
      </Alert>
    </main>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ maxWidth: 640, margin: '0 auto', padding: theme.spacing(8, 2) }),
  heading: css({ marginBottom: theme.spacing(2) }),
});
