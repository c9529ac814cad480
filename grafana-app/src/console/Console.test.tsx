import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../api';
import { fakeTransport, type FakeTransport } from '../api/fakeTransport';
import { testIds } from '../components/testIds';
import { Console } from './Console';
import { TOKEN_KEY } from './session';
import { consoleTestIds } from './testIds';

const who = (role: string, user = 'ops') => ({
  user,
  token_id: 'tok1',
  role,
  clusters: [],
  key_prefixes: [],
  acts_for_users: false,
});

const clusterAnswers = {
  'GET /clusters': { clusters: [{ name: 'c1', reachable: true }] },
  'GET /clusters/c1/members': { members: [{ id: 'a1', name: 'm1', peer_urls: ['http://m1:2380'] }] },
  'GET /clusters/c1/endpoints': { healthy: 1, total: 1, endpoints: [{ endpoint: 'http://m1:2379', healthy: true }] },
  'GET /clusters/c1/alarms': {},
};

// renderConsole renders the console at path; transportFor records the tokens it was given.
function renderConsole(t: FakeTransport, path = '/') {
  const tokens: string[] = [];
  const transportFor = (token: string) => {
    tokens.push(token);
    return t;
  };
  render(
    <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <Console transportFor={transportFor} storage={window.sessionStorage} />
    </MemoryRouter>
  );
  return tokens;
}

async function signIn(token: string) {
  await userEvent.click(screen.getByLabelText('Token'));
  await userEvent.paste(token);
  await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

beforeEach(() => {
  window.sessionStorage.clear();
  window.localStorage.clear();
});

describe('standalone console', () => {
  test('asks for a token, and refuses an empty one', async () => {
    const t = fakeTransport({});
    renderConsole(t);
    expect(screen.getByTestId(consoleTestIds.signIn.form)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByText(/Paste an opsproxy token/)).toBeInTheDocument();
    expect(t.calls).toEqual([]);
  });

  test('signs in: the token goes to the transport and sessionStorage only, and the landing page is Overview', async () => {
    const t = fakeTransport({ 'GET /whoami': who('admin'), ...clusterAnswers });
    const tokens = renderConsole(t);
    await signIn('etcdm_secret');
    expect(await screen.findByTestId(consoleTestIds.nav.user)).toHaveTextContent('ops (admin)');
    expect(await screen.findByTestId(testIds.overview.page)).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Overview' })).toBeInTheDocument();
    expect(tokens).toEqual(['etcdm_secret']);
    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBe('etcdm_secret');
    expect(window.localStorage.length).toBe(0);
  });

  test('an admin is offered the Cluster page’s admin actions and audit verification', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, 'etcdm_admin');
    const t = fakeTransport({ 'GET /whoami': who('admin'), ...clusterAnswers, 'GET /audit': { records: [] } });
    renderConsole(t, '/cluster?cluster=c1');
    expect(await screen.findByTestId(testIds.cluster.remove('a1'))).toBeInTheDocument();
    await userEvent.click(screen.getByTestId(consoleTestIds.nav.link('audit')));
    expect(await screen.findByTestId(testIds.audit.verify)).toBeInTheDocument();
  });

  test('a viewer is not offered admin actions', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, 'etcdm_viewer');
    const t = fakeTransport({ 'GET /whoami': who('viewer'), ...clusterAnswers, 'GET /audit': { records: [] } });
    renderConsole(t, '/cluster?cluster=c1');
    expect(await screen.findByTestId(testIds.cluster.members)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.cluster.remove('a1'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.cluster.addLearner)).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId(consoleTestIds.nav.link('audit')));
    expect(await screen.findByTestId(testIds.audit.empty)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.audit.verify)).not.toBeInTheDocument();
  });

  test('a refused token says so, with a retry and a way back to sign-in', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, 'etcdm_revoked');
    const t = fakeTransport({ 'GET /whoami': new ApiError('token tok9 was revoked', 401, 'req-1') });
    renderConsole(t);
    const failure = await screen.findByTestId(consoleTestIds.failure.panel);
    expect(failure).toHaveTextContent('opsproxy refused this token');
    expect(failure).toHaveTextContent('token tok9 was revoked (request req-1)');
    expect(failure).not.toHaveTextContent('etcdm_revoked');
    await userEvent.click(screen.getByTestId(consoleTestIds.failure.signInAgain));
    expect(screen.getByTestId(consoleTestIds.signIn.form)).toBeInTheDocument();
    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  test('opsproxy not answering says so, and retry signs in once it answers', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, 'etcdm_admin');
    const t = fakeTransport({
      'GET /whoami': new ApiError('opsproxy did not answer: Failed to fetch', 0),
      ...clusterAnswers,
    });
    renderConsole(t);
    const failure = await screen.findByTestId(consoleTestIds.failure.panel);
    expect(failure).toHaveTextContent('opsproxy is not answering');
    expect(failure).toHaveTextContent('Failed to fetch');
    t.answers['GET /whoami'] = who('editor');
    await userEvent.click(screen.getByTestId(consoleTestIds.failure.retry));
    expect(await screen.findByTestId(consoleTestIds.nav.user)).toHaveTextContent('ops (editor)');
  });

  test('signing out forgets the token', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, 'etcdm_admin');
    const t = fakeTransport({ 'GET /whoami': who('admin'), ...clusterAnswers });
    renderConsole(t);
    await userEvent.click(await screen.findByTestId(consoleTestIds.nav.signOut));
    expect(screen.getByTestId(consoleTestIds.signIn.form)).toBeInTheDocument();
    expect(screen.getByText(/Signed out/)).toBeInTheDocument();
    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBeNull();
    expect(window.localStorage.length).toBe(0);
  });

  test('an unknown route lands on the first page', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, 'etcdm_admin');
    const t = fakeTransport({ 'GET /whoami': who('admin'), ...clusterAnswers });
    renderConsole(t, '/no/such/page');
    expect(await screen.findByTestId(testIds.overview.page)).toBeInTheDocument();
  });
});

describe('a token refused while signed in', () => {
  test('replaces the pages with the refusal, with a retry and a way back to sign-in', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, 'etcdm_admin');
    const t = fakeTransport({ 'GET /whoami': who('admin'), ...clusterAnswers });
    renderConsole(t);
    expect(await screen.findByTestId(testIds.overview.table)).toBeInTheDocument();
    t.answers['GET /clusters'] = new ApiError('token tok1 was revoked', 401, 'req-9');
    t.answers['GET /whoami'] = new ApiError('token tok1 was revoked', 401, 'req-10');
    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    const failure = await screen.findByTestId(consoleTestIds.failure.panel);
    expect(failure).toHaveTextContent('opsproxy refused this token');
    expect(failure).toHaveTextContent('token tok1 was revoked (request req-9)');
    expect(screen.queryByTestId(consoleTestIds.nav.bar)).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId(consoleTestIds.failure.retry));
    expect(await screen.findByTestId(consoleTestIds.failure.panel)).toHaveTextContent('(request req-10)');
  });
});
