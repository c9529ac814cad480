import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError, ApiProvider, type Token } from '../../api';
import { fakeTransport, type FakeTransport } from '../../api/fakeTransport';
import { testIds } from '../../components/testIds';
import { Tokens } from './Tokens';

function renderTokens(t: FakeTransport, canAdmin = true) {
  return render(
    <ApiProvider transport={t}>
      <Tokens canAdmin={canAdmin} />
    </ApiProvider>
  );
}

const ci: Token = { id: 'tok1', name: 'ci', role: 'viewer', created_at: '2026-12-01T00:00:00Z', created_by: 'admin' };
const old: Token = { id: 'tok0', name: 'old', role: 'admin', revoked_at: '2026-11-01T00:00:00Z' };
const SECRET = 'emt_s3cret-shown-once';

// The tests type whole forms: on a busy machine (CI shares two cores) that takes longer than jest's
// default 5 s, which would cut a test short and leave its keystrokes to the next one.
jest.setTimeout(30000);

// A fresh user each test, typing without timers between keystrokes.
let user: ReturnType<typeof userEvent.setup>;
beforeEach(() => {
  user = userEvent.setup({ delay: null });
});

describe('Tokens', () => {
  test('lists tokens with scope and state; only active ones can be revoked', async () => {
    const t = fakeTransport({
      'GET /tokens': {
        tokens: [
          ci,
          old,
          { ...ci, id: 'tok2', name: 'grafana', clusters: ['a', 'b'], key_prefixes: ['/app/'], acts_for_users: true },
        ],
      },
    });
    renderTokens(t);
    await screen.findByTestId(testIds.tokens.table);
    const row = within(screen.getByTestId(testIds.tokens.row('tok2')));
    expect(row.getByText('a, b')).toBeInTheDocument();
    expect(row.getByText('/app/')).toBeInTheDocument();
    expect(row.getByText('yes')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.tokens.revoke('tok1'))).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.tokens.revoke('tok0'))).not.toBeInTheDocument();
    expect(within(screen.getByTestId(testIds.tokens.row('tok0'))).getByText(/revoked/)).toBeInTheDocument();
  });

  test('creates a token as the API takes it and shows the secret once, with a copy button', async () => {
    // userEvent.setup put its clipboard stand-in on navigator; watch what the page writes to it.
    const writeText = jest.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    const t = fakeTransport({
      'GET /tokens': { tokens: [ci] },
      'POST /tokens': { token: { id: 'tok9', name: 'deploy', role: 'editor' }, secret: SECRET },
    });
    renderTokens(t);
    await screen.findByTestId(testIds.tokens.table);
    await user.click(screen.getByTestId(testIds.tokens.create));
    await user.type(screen.getByLabelText('Name'), 'deploy');
    await user.selectOptions(screen.getByLabelText('Role'), 'editor');
    await user.type(screen.getByLabelText(/^Clusters/), 'prod, stage');
    await user.type(screen.getByLabelText(/^Key prefixes/), '/app/');
    await user.type(screen.getByLabelText(/^Expires in/), '30d');
    await user.click(screen.getByLabelText(/^Acts for Grafana users/));
    t.answers['GET /tokens'] = { tokens: [ci, { id: 'tok9', name: 'deploy', role: 'editor' }] };
    await user.click(screen.getByTestId(testIds.tokens.submit));

    expect(await screen.findByTestId(testIds.tokens.secret)).toHaveTextContent(SECRET);
    const post = t.calls.find((c) => c.method === 'POST')!;
    expect(post.opts.body).toEqual({
      name: 'deploy',
      role: 'editor',
      clusters: ['prod', 'stage'],
      key_prefixes: ['/app/'],
      acts_for_users: true,
      expires_in: '30d',
    });
    await screen.findByTestId(testIds.tokens.row('tok9'));
    await user.click(screen.getByTestId(testIds.tokens.copy));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(screen.getByTestId(testIds.tokens.copied)).toBeInTheDocument();

    await user.click(screen.getByTestId(testIds.tokens.closeSecret));
    expect(screen.queryByTestId(testIds.tokens.secret)).not.toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  test('a bad expiry is refused naming the field; an API refusal is shown in the form', async () => {
    const t = fakeTransport({
      'GET /tokens': { tokens: [] },
      'POST /tokens': new ApiError('clusters: x is outside your scope', 403, 'r4'),
    });
    renderTokens(t);
    await screen.findByTestId(testIds.tokens.empty);
    await user.click(screen.getByTestId(testIds.tokens.create));
    await user.type(screen.getByLabelText('Name'), 'n');
    await user.type(screen.getByLabelText(/^Expires in/), 'soon');
    await user.click(screen.getByTestId(testIds.tokens.submit));
    expect(screen.getByTestId(testIds.tokens.createError)).toHaveTextContent('Expires in: want a duration');
    expect(t.calls.some((c) => c.method === 'POST')).toBe(false);
    await user.clear(screen.getByLabelText(/^Expires in/));
    await user.click(screen.getByTestId(testIds.tokens.submit));
    expect(await screen.findByText(/x is outside your scope/)).toHaveTextContent('(request r4)');
    expect(screen.queryByTestId(testIds.tokens.secret)).not.toBeInTheDocument();
  });

  test('revoking asks for confirmation first', async () => {
    const t = fakeTransport({
      'GET /tokens': { tokens: [ci] },
      'DELETE /tokens/tok1': { token: { ...ci, revoked_at: 'now' } },
    });
    renderTokens(t);
    await user.click(await screen.findByTestId(testIds.tokens.revoke('tok1')));
    expect(screen.getByText(/Everything using token ci \(tok1\) is refused from now on/)).toBeInTheDocument();
    expect(t.calls.some((c) => c.method === 'DELETE')).toBe(false);
    t.answers['GET /tokens'] = { tokens: [{ ...ci, revoked_at: '2026-12-06T10:00:00Z' }] };
    await user.click(screen.getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(screen.queryByTestId(testIds.tokens.revoke('tok1'))).not.toBeInTheDocument());
    expect(t.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/tokens/tok1']);
  });

  test('403 from opsproxy is shown with a retry', async () => {
    const t = fakeTransport({ 'GET /tokens': new ApiError('admin role required', 403, 'r1') });
    renderTokens(t);
    const err = await screen.findByTestId(testIds.tokens.error);
    expect(err).toHaveTextContent('Not allowed to manage tokens');
    expect(err).toHaveTextContent('admin role required (request r1)');
    t.answers['GET /tokens'] = { tokens: [ci] };
    await user.click(screen.getByTestId(testIds.tokens.retry));
    await screen.findByTestId(testIds.tokens.table);
  });

  test('a non-admin sees why, no actions, and nothing is called', () => {
    const t = fakeTransport({ 'GET /tokens': { tokens: [ci] } });
    renderTokens(t, false);
    expect(screen.getByTestId(testIds.tokens.notAdmin)).toHaveTextContent('needs the Admin org role');
    expect(screen.queryByTestId(testIds.tokens.create)).not.toBeInTheDocument();
    expect(t.calls).toHaveLength(0);
  });
});
