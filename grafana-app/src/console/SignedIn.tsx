import React, { useEffect, useMemo, useState } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { ApiProvider, createApi, type Transport, type Whoami } from '../api';
import { Failure } from './Failure';
import { NavBar } from './NavBar';
import { onRefusedToken } from './refusals';
import { CONSOLE_PAGES, type ConsolePage } from './pages';
import { abilitiesOf, atLeast } from './roles';
import { consoleTestIds } from './testIds';

type Check = { kind: 'checking' } | { kind: 'ok'; who: Whoami } | { kind: 'failed'; err: unknown };

// SignedIn asks opsproxy who the token is, then shows the pages its role may open, each offered
// only the actions the role may take. A refused token or an unreachable opsproxy is shown as
// such, with a retry.
export function SignedIn({
  token,
  transportFor,
  onSignOut,
}: {
  token: string;
  transportFor: (token: string) => Transport;
  onSignOut: () => void;
}) {
  const styles = useStyles2(getStyles);
  const [attempt, setAttempt] = useState(0);
  const [check, setCheck] = useState<Check>({ kind: 'checking' });
  // A token revoked or expired while signed in ends the session's pages with the same failure.
  const transport = useMemo(
    () => onRefusedToken(transportFor(token), (err) => setCheck({ kind: 'failed', err })),
    [transportFor, token]
  );
  const api = useMemo(() => createApi(transport), [transport]);

  useEffect(() => {
    let cancelled = false;
    api.whoami().then(
      (who) => !cancelled && setCheck({ kind: 'ok', who }),
      (err) => !cancelled && setCheck({ kind: 'failed', err })
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt]);

  if (check.kind === 'checking') {
    return (
      <main className={styles.main} data-testid={consoleTestIds.checking}>
        <LoadingPlaceholder text="Signing in…" />
      </main>
    );
  }
  if (check.kind === 'failed') {
    const retry = () => {
      setCheck({ kind: 'checking' });
      setAttempt((n) => n + 1);
    };
    return <Failure err={check.err} onRetry={retry} onSignOut={onSignOut} />;
  }
  const { who } = check;
  const pages = CONSOLE_PAGES.filter((p) => atLeast(who.role, p.role));
  return (
    <ApiProvider transport={transport}>
      <NavBar pages={pages} who={who} onSignOut={onSignOut} />
      <main className={styles.main}>
        <Routes>
          {CONSOLE_PAGES.map((p) => (
            <Route key={p.route} path={`/${p.route}`} element={<Page page={p} who={who} />} />
          ))}
          <Route path="*" element={<Navigate to={`/${CONSOLE_PAGES[0].route}`} replace />} />
        </Routes>
      </main>
    </ApiProvider>
  );
}

// Page is one console page with its heading, or why the role may not open it.
function Page({ page, who }: { page: ConsolePage; who: Whoami }) {
  useEffect(() => {
    document.title = `${page.title} · etcd-monitor`;
  }, [page.title]);
  if (!atLeast(who.role, page.role)) {
    return (
      <Alert
        severity="warning"
        title={`${page.title} needs the ${page.role} role`}
        data-testid={consoleTestIds.forbidden}
      >
        This token has the {who.role} role.
      </Alert>
    );
  }
  return (
    <>
      <h1>{page.title}</h1>
      {page.render(abilitiesOf(who.role))}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  main: css({ padding: theme.spacing(2) }),
});
