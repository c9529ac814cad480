import React, { useEffect, useState, type FormEvent } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  ConfirmModal,
  Field,
  Input,
  LoadingPlaceholder,
  Stack,
  useStyles2,
} from '@grafana/ui';
import { ApiError, useApi, type CreatedToken, type NewToken, type Token, type TokenRole } from '../../api';
import { testIds } from '../../components/testIds';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { FailureText } from '../failure';
import { getSelectStyle } from '../selectStyle';
import { getTableStyles } from '../tableStyles';

type Failure = { message: string; status?: number; requestId?: string };

function failure(err: unknown): Failure {
  return err instanceof ApiError
    ? { message: err.message, status: err.status, requestId: err.requestId }
    : { message: err instanceof Error ? err.message : String(err) };
}

// Loaded tokens of one attempt.
type Loaded = { attempt: number; tokens: Token[]; error?: Failure };

// Tokens: opsproxy's API tokens (admin): list, create (the secret shown once, with a copy
// button) and revoke. canAdmin false shows why there is nothing here and calls nothing.
export function Tokens({ canAdmin }: { canAdmin: boolean }) {
  if (!canAdmin) {
    return (
      <div data-testid={testIds.tokens.page}>
        <Alert severity="info" title="Tokens are managed by admins" data-testid={testIds.tokens.notAdmin}>
          API tokens give scripts, CI and the standalone console access to opsproxy. Listing, creating and revoking them
          needs the Admin org role; ask an admin of this Grafana org for a token.
        </Alert>
      </div>
    );
  }
  return <TokenAdmin />;
}

function TokenAdmin() {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken | undefined>(undefined);
  const [revoking, setRevoking] = useState<Token | undefined>(undefined);
  const [revokeError, setRevokeError] = useState<Failure | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    api.listTokens().then(
      (tokens) => !cancelled && setLoaded({ attempt, tokens }),
      (err) => !cancelled && setLoaded({ attempt, tokens: [], error: failure(err) })
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt]);
  const current = loaded?.attempt === attempt ? loaded : undefined;
  const reload = () => setAttempt((n) => n + 1);

  const revoke = async (tok: Token) => {
    setRevoking(undefined);
    setRevokeError(undefined);
    try {
      await api.revokeToken(tok.id);
      reload();
    } catch (err) {
      setRevokeError(failure(err));
    }
  };

  return (
    <div data-testid={testIds.tokens.page}>
      {created && (
        <SecretOnce
          created={created}
          onClose={() => {
            setCreated(undefined);
          }}
        />
      )}
      {creating ? (
        <CreateForm
          onCancel={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            setCreated(c);
            reload();
          }}
        />
      ) : (
        <Button icon="plus" onClick={() => setCreating(true)} data-testid={testIds.tokens.create}>
          Create token
        </Button>
      )}
      {revokeError && (
        <Alert severity="error" title="Could not revoke the token" data-testid={testIds.tokens.revokeError}>
          {revokeError.message}
          {revokeError.requestId && <> (request {revokeError.requestId})</>}
        </Alert>
      )}

      {!current && (
        <div data-testid={testIds.tokens.loading}>
          <LoadingPlaceholder text="Loading tokens…" />
        </div>
      )}
      {current?.error && (
        <ErrorWithRetry
          title={current.error.status === 403 ? 'Not allowed to manage tokens' : 'Could not load the tokens'}
          failure={<FailureText f={current.error} />}
          onRetry={reload}
          testId={testIds.tokens.error}
          retryTestId={testIds.tokens.retry}
        >
          {current.error.status === 403 && (
            <p>opsproxy lets only an admin token, and an admin user through it, manage tokens.</p>
          )}
        </ErrorWithRetry>
      )}
      {current && !current.error && current.tokens.length === 0 && (
        <Alert severity="info" title="No tokens" data-testid={testIds.tokens.empty}>
          No tokens are within your scope yet.
        </Alert>
      )}
      {current && current.tokens.length > 0 && (
        <table className={styles.table} data-testid={testIds.tokens.table}>
          <caption className={styles.caption}>API tokens (secrets are never shown again after creation)</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Id</th>
              <th scope="col">Role</th>
              <th scope="col">Clusters</th>
              <th scope="col">Key prefixes</th>
              <th scope="col">Acts for users</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {current.tokens.map((tok) => (
              <tr key={tok.id} data-testid={testIds.tokens.row(tok.id)}>
                <td>{tok.name}</td>
                <td className={styles.mono}>{tok.id}</td>
                <td>{tok.role}</td>
                <td>{tok.clusters?.length ? tok.clusters.join(', ') : 'all'}</td>
                <td className={styles.mono}>{tok.key_prefixes?.length ? tok.key_prefixes.join(', ') : 'all'}</td>
                <td>{tok.acts_for_users ? 'yes' : 'no'}</td>
                <td>
                  {tok.created_at}
                  {tok.created_by && <> by {tok.created_by}</>}
                </td>
                <td>{tok.expires_at || 'never'}</td>
                <td>
                  {tok.revoked_at ? (
                    <Badge color="red" text={`revoked ${tok.revoked_at}`} />
                  ) : (
                    <Badge color="green" text="active" />
                  )}
                </td>
                <td>
                  {!tok.revoked_at && (
                    <Button
                      size="sm"
                      variant="destructive"
                      onClick={() => setRevoking(tok)}
                      aria-label={`Revoke token ${tok.name}`}
                      data-testid={testIds.tokens.revoke(tok.id)}
                    >
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmModal
        isOpen={revoking !== undefined}
        title={`Revoke token ${revoking?.name ?? ''}?`}
        body={`Everything using token ${revoking?.name ?? ''} (${revoking?.id ?? ''}) is refused from now on. This cannot be undone: a new token has a new secret.`}
        confirmText="Revoke"
        onConfirm={() => revoking && revoke(revoking)}
        onDismiss={() => setRevoking(undefined)}
      />
    </div>
  );
}

const ROLES: TokenRole[] = ['viewer', 'editor', 'admin'];
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

function list(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

function CreateForm({ onCreated, onCancel }: { onCreated: (c: CreatedToken) => void; onCancel: () => void }) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [draft, setDraft] = useState({
    name: '',
    role: 'viewer' as TokenRole,
    clusters: '',
    prefixes: '',
    actsForUsers: false,
    expiresIn: '',
  });
  const [problem, setProblem] = useState<Failure | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const expiresIn = draft.expiresIn.trim();
    if (!draft.name.trim()) {
      setProblem({ message: 'Name: must not be empty.' });
      return;
    }
    if (expiresIn && !DURATION.test(expiresIn)) {
      setProblem({ message: 'Expires in: want a duration such as 30d, 12h or 1w (empty: never).' });
      return;
    }
    const spec: NewToken = {
      name: draft.name.trim(),
      role: draft.role,
      clusters: list(draft.clusters),
      key_prefixes: list(draft.prefixes),
      acts_for_users: draft.actsForUsers,
      expires_in: expiresIn || undefined,
    };
    setBusy(true);
    setProblem(undefined);
    try {
      onCreated(await api.createToken(spec));
    } catch (err) {
      setProblem(failure(err));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Create token" className={styles.form} data-testid={testIds.tokens.form}>
      <Field label="Name" className={styles.field}>
        <Input
          id="token-name"
          value={draft.name}
          onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
        />
      </Field>
      <Field label="Role" className={styles.field}>
        <select
          id="token-role"
          className={styles.select}
          value={draft.role}
          onChange={(e) => setDraft({ ...draft, role: e.currentTarget.value as TokenRole })}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Clusters" description="comma-separated; empty: all of yours" className={styles.field}>
        <Input
          id="token-clusters"
          value={draft.clusters}
          onChange={(e) => setDraft({ ...draft, clusters: e.currentTarget.value })}
        />
      </Field>
      <Field label="Key prefixes" description="comma-separated; limits writes; empty: all" className={styles.field}>
        <Input
          id="token-prefixes"
          value={draft.prefixes}
          onChange={(e) => setDraft({ ...draft, prefixes: e.currentTarget.value })}
        />
      </Field>
      <Field label="Expires in" description="such as 30d or 12h; empty: never" className={styles.field}>
        <Input
          id="token-expires"
          value={draft.expiresIn}
          onChange={(e) => setDraft({ ...draft, expiresIn: e.currentTarget.value })}
        />
      </Field>
      <Checkbox
        label="Acts for Grafana users"
        description="a service token for the Grafana app"
        value={draft.actsForUsers}
        onChange={(e) => setDraft({ ...draft, actsForUsers: e.currentTarget.checked })}
      />
      <Stack gap={1}>
        <Button type="submit" disabled={busy} data-testid={testIds.tokens.submit}>
          {busy ? 'Creating…' : 'Create'}
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </Stack>
      {problem && (
        <Alert
          severity="error"
          title="Could not create the token"
          className={styles.problem}
          data-testid={testIds.tokens.createError}
        >
          {problem.message}
          {problem.requestId && <> (request {problem.requestId})</>}
        </Alert>
      )}
    </form>
  );
}

// SecretOnce shows a new token's secret until closed; it is kept nowhere else, so closing it
// is final.
function SecretOnce({ created, onClose }: { created: CreatedToken; onClose: () => void }) {
  const styles = useStyles2(getStyles);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copySecret = async () => {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };
  return (
    <Alert severity="success" title={`Token ${created.token.name} created`}>
      <p>Copy the secret now: it is shown this once, and neither opsproxy nor Grafana can show it again.</p>
      <code className={styles.secret} data-testid={testIds.tokens.secret}>
        {created.secret}
      </code>
      <Stack gap={1}>
        <Button icon="copy" variant="secondary" onClick={copySecret} data-testid={testIds.tokens.copy}>
          Copy
        </Button>
        <Button variant="primary" onClick={onClose} data-testid={testIds.tokens.closeSecret}>
          I have copied it
        </Button>
        {copy === 'copied' && (
          <span role="status" data-testid={testIds.tokens.copied}>
            Copied to the clipboard.
          </span>
        )}
        {copy === 'failed' && (
          <span role="status">The browser refused the clipboard: select the secret and copy it.</span>
        )}
      </Stack>
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => {
  const tables = getTableStyles(theme);
  return {
    form: css({
      display: 'flex',
      flexWrap: 'wrap',
      gap: theme.spacing(1),
      alignItems: 'flex-end',
      marginBottom: theme.spacing(2),
    }),
    field: css({ marginBottom: 0, minWidth: 180 }),
    problem: css({ flexBasis: '100%' }),
    select: getSelectStyle(theme),
    secret: css({
      display: 'block',
      fontFamily: theme.typography.fontFamilyMonospace,
      wordBreak: 'break-all',
      userSelect: 'all',
      margin: theme.spacing(1, 0),
    }),
    caption: tables.caption,
    // These tables stand below a form.
    table: cx(tables.table, css({ marginTop: theme.spacing(2) })),
    mono: tables.mono,
  };
};

export default Tokens;
