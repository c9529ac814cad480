import React, { useState, type FormEvent } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Field, Input, useStyles2 } from '@grafana/ui';
import { consoleTestIds } from './testIds';

// SignIn asks for an opsproxy token. It is handed to onSignIn only; the form has no action and
// no name on the field, so the token never lands in a URL or in the browser's form history.
export function SignIn({ onSignIn, notice }: { onSignIn: (token: string) => void; notice?: string }) {
  const styles = useStyles2(getStyles);
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError('Paste an opsproxy token (it starts with etcdm_).');
      return;
    }
    onSignIn(t);
  };

  return (
    <main className={styles.page}>
      <form className={styles.form} onSubmit={submit} data-testid={consoleTestIds.signIn.form}>
        <h1>etcd-monitor console</h1>
        <p>
          Sign in with an opsproxy token. It is kept in this tab only (session storage) until you sign out or close the
          tab.
        </p>
        {notice && <Alert severity="info" title={notice} />}
        <Field label="Token" invalid={!!error} error={error}>
          <Input
            id="console-token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.currentTarget.value)}
            data-testid={consoleTestIds.signIn.token}
          />
        </Field>
        <Button type="submit" data-testid={consoleTestIds.signIn.submit}>
          Sign in
        </Button>
      </form>
    </main>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', justifyContent: 'center', padding: theme.spacing(8, 2) }),
  form: css({ width: '100%', maxWidth: 480 }),
});
