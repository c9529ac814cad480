import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError, errorFromBody, type ConsoleRun, type Job, type RequestOptions } from '../../api';
import { fakeTransport, type Answer, type FakeTransport } from '../../api/fakeTransport';
import { testIds } from '../../components/testIds';
import { renderPage } from '../testing/renderPage';
import { CommandConsole } from './CommandConsole';

const ids = testIds.etcdctl;

jest.setTimeout(30000);

let user: ReturnType<typeof userEvent.setup>;
beforeEach(() => {
  user = userEvent.setup({ delay: null });
});

function ran(over: Partial<ConsoleRun> = {}): ConsoleRun {
  return {
    stdout: '',
    stderr: '',
    exit_code: 0,
    result: null,
    operation: 'keys.get',
    format: 'simple',
    job: null,
    duration_ns: 1_200_000,
    ...over,
  };
}

const lineOf = (o: RequestOptions) => (o.body as { line: string }).line;

function answers(more: Record<string, Answer> = {}): Record<string, Answer> {
  return {
    'GET /clusters': { clusters: [{ name: 'prod' }, { name: 'stage' }] },
    'GET /whoami': { user: 'ann', role: 'viewer', key_prefixes: ['/app/'] },
    'GET /console/history': { entries: [] },
    'GET /console/settings': { keep_values: false },
    'POST /clusters/prod/console': (o: RequestOptions) => ran({ stdout: `ran ${lineOf(o)}\n` }),
    ...more,
  };
}

// renderAt renders the page at url and waits for the prompt.
async function renderAt(t: FakeTransport, url = '/console?cluster=prod') {
  renderPage(t, '/console', url, <CommandConsole />);
  await screen.findByTestId(ids.input);
}

const input = () => screen.getByLabelText('Command for cluster prod') as HTMLTextAreaElement;
const runLines = () => screen.queryAllByTestId(ids.runLine).map((e) => e.textContent);
const consoleCalls = (t: FakeTransport) =>
  t.calls.filter((c) => c.path.endsWith('/console')).map((c) => lineOf(c.opts));
const completeCalls = (t: FakeTransport) =>
  t.calls.filter((c) => c.path.endsWith('/complete')).map((c) => c.opts.query);

describe('Console page', () => {
  test('picks the first cluster, says who runs the commands, and runs a line on Enter', async () => {
    const t = fakeTransport(answers());
    await renderAt(t, '/console');
    expect(screen.getByTestId('location')).toHaveTextContent('?cluster=prod');
    expect(await screen.findByTestId(ids.who)).toHaveTextContent(
      'Commands run as ann with the role viewer on keys under /app/'
    );
    await user.type(input(), 'get /app/a  {Enter}');
    expect(await screen.findByTestId(ids.stdout)).toHaveTextContent('ran get /app/a');
    // A one-line command's trailing blanks (a completion's space) are dropped.
    expect(consoleCalls(t)).toEqual(['get /app/a']);
    expect(runLines()).toEqual(['prod$ get /app/a']);
    expect(screen.getByTestId(ids.run(1))).toHaveTextContent('keys.get · 1.2 ms');
    expect(input()).toHaveValue('');
    expect(input()).toHaveFocus();
    expect(screen.queryByTestId(ids.exitCode)).not.toBeInTheDocument();
  });

  test('an error etcd answered shows stderr and the exit code', async () => {
    const t = fakeTransport(
      answers({
        'POST /clusters/prod/console': ran({
          operation: 'leases.revoke',
          stderr: 'Error: etcdserver: requested lease not found\n',
          exit_code: 1,
        }),
      })
    );
    await renderAt(t);
    await user.type(input(), 'lease revoke 1{Enter}');
    expect(await screen.findByTestId(ids.stderr)).toHaveTextContent('Error: etcdserver: requested lease not found');
    expect(screen.getByTestId(ids.exitCode)).toHaveTextContent('exit code 1');
    expect(screen.queryByTestId(ids.stdout)).not.toBeInTheDocument();
  });

  test('a refused command shows the refusal, its request id and etcdctl’s exit code', async () => {
    const t = fakeTransport(
      answers({
        'POST /clusters/prod/console': errorFromBody(403, {
          error: 'role viewer may not keys.put on cluster prod',
          request_id: 'req-7',
          exit_code: 1,
        }),
      })
    );
    await renderAt(t);
    await user.type(input(), 'put /app/a 1{Enter}');
    const refusal = await screen.findByTestId(ids.refusal);
    expect(refusal).toHaveTextContent('Refused (403): role viewer may not keys.put on cluster prod (request req-7)');
    expect(refusal).toHaveTextContent('exit code 1');

    t.answers['POST /clusters/prod/console'] = errorFromBody(400, { error: 'unknown flag: --foo', exit_code: 1 });
    await user.type(input(), 'get --foo{Enter}');
    await waitFor(() => expect(screen.getAllByTestId(ids.refusal)).toHaveLength(2));
    expect(screen.getAllByTestId(ids.refusal)[1]).toHaveTextContent('Not run (400): unknown flag: --foo');

    t.answers['POST /clusters/prod/console'] = new ApiError('opsproxy did not answer: network down', 0);
    await user.type(input(), 'get /x{Enter}');
    await waitFor(() => expect(screen.getAllByTestId(ids.refusal)).toHaveLength(3));
    expect(screen.getAllByTestId(ids.refusal)[2]).toHaveTextContent('No answer from opsproxy: opsproxy did not answer');
    expect(screen.getAllByTestId(ids.refusal)[2]).toHaveTextContent('exit code 2');
  });

  test('the structured view shows kvs as a table and the result as a tree, beside the text', async () => {
    const result = {
      header: { revision: 5, member_id: 12402926239619891000 },
      kvs: [{ key: btoa('/app/a'), value: btoa('hello'), create_revision: 2, mod_revision: 5, version: 2 }],
      count: 1,
    };
    const t = fakeTransport(answers({ 'POST /clusters/prod/console': ran({ stdout: '/app/a\nhello\n', result }) }));
    await renderAt(t);
    await user.type(input(), 'get /app/a{Enter}');
    const toggle = await screen.findByTestId(ids.structuredToggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const structured = screen.getByTestId(ids.structured);
    const rows = within(within(structured).getByTestId(ids.kvTable)).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('/app/ahello52');
    expect(within(structured).getByTestId(ids.jsonTree)).toHaveTextContent('revision: 5');
    expect(within(structured).getByTestId(ids.jsonTree)).toHaveTextContent(
      'member_id: 12402926239619891000 (not exact: beyond JavaScript’s precision; see the text)'
    );
    await user.click(toggle);
    expect(screen.queryByTestId(ids.structured)).not.toBeInTheDocument();
  });

  test('members as a table; a command without a result says so', async () => {
    const members = { members: [{ ID: 31, name: 'm1', peerURLs: ['http://a:2380'], clientURLs: ['http://a:2379'] }] };
    const t = fakeTransport(
      answers({ 'POST /clusters/prod/console': ran({ operation: 'members.list', result: members }) })
    );
    await renderAt(t);
    await user.type(input(), 'member list{Enter}');
    await user.click(await screen.findByTestId(ids.structuredToggle));
    expect(screen.getByTestId(ids.memberTable)).toHaveTextContent('1fm1http://a:2380http://a:2379no');

    t.answers['POST /clusters/prod/console'] = ran({
      operation: 'console.version',
      stdout: 'etcdctl version: 3.7.3\n',
    });
    await user.type(input(), 'version{Enter}');
    await waitFor(() => expect(screen.getAllByTestId(ids.structuredToggle)).toHaveLength(2));
    await user.click(screen.getAllByTestId(ids.structuredToggle)[1]);
    expect(screen.getAllByTestId(ids.structured)[1]).toHaveTextContent('This command has no structured result.');
  });

  test('a defrag answered with a job links to the job on the Jobs page', async () => {
    const job: Job = { id: 'j/1', kind: 'defragment', cluster: 'prod', status: 'queued' };
    const t = fakeTransport(answers({ 'POST /clusters/prod/console': ran({ operation: 'jobs.enqueue', job }) }));
    await renderAt(t);
    await user.type(input(), 'defrag --cluster{Enter}');
    const link = await screen.findByTestId(ids.jobLink);
    expect(link).toHaveTextContent('Follow defragment job j/1 (queued) on the Jobs page');
    expect(link).toHaveAttribute('href', '/jobs?job=j%2F1');
  });

  test('Shift+Enter adds a line; Enter sends the whole multi-line txn', async () => {
    const t = fakeTransport(answers());
    await renderAt(t);
    await user.type(input(), 'txn{Shift>}{Enter}{/Shift}mod("/a") > "0"{Shift>}{Enter}{/Shift}');
    expect(input()).toHaveValue('txn\nmod("/a") > "0"\n');
    expect(input()).toHaveAttribute('rows', '3');
    await user.keyboard('{Enter}');
    await screen.findByTestId(ids.stdout);
    expect(consoleCalls(t)).toEqual(['txn\nmod("/a") > "0"\n']);
  });

  test('↑/↓ walk the stored history of the cluster then this session’s lines, back to the draft', async () => {
    const stored = ['get /b', 'get /a'].map((line, i) => ({
      id: `h${i}`,
      cluster: 'prod',
      line,
      time: '2026-01-01T00:00:00Z',
      exit_code: 0,
      duration_ns: 1,
    }));
    const t = fakeTransport(answers({ 'GET /console/history': { entries: stored } }));
    await renderAt(t);
    await waitFor(() => expect(t.calls.some((c) => c.path === '/console/history')).toBe(true));
    expect(t.calls.find((c) => c.path === '/console/history')?.opts.query).toMatchObject({
      cluster: 'prod',
      limit: 500,
    });
    await user.type(input(), 'get /c{Enter}');
    await screen.findByTestId(ids.stdout);
    await user.type(input(), 'draft');
    await user.keyboard('{ArrowUp}');
    expect(input()).toHaveValue('get /c');
    await user.keyboard('{ArrowUp}');
    expect(input()).toHaveValue('get /b');
    await user.keyboard('{ArrowUp}');
    expect(input()).toHaveValue('get /a');
    await user.keyboard('{ArrowUp}');
    expect(input()).toHaveValue('get /a');
    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}');
    expect(input()).toHaveValue('draft');
  });

  test('inside a multi-line command ↑ moves between its lines, not through the history', async () => {
    const t = fakeTransport(answers());
    await renderAt(t);
    await user.type(input(), 'get /old{Enter}');
    await screen.findByTestId(ids.stdout);
    await user.type(input(), 'txn{Shift>}{Enter}{/Shift}x');
    await user.keyboard('{ArrowUp}');
    expect(input()).toHaveValue('txn\nx');
    input().setSelectionRange(0, 0);
    await user.keyboard('{ArrowUp}');
    expect(input()).toHaveValue('get /old');
  });

  test('Ctrl-R searches the history: type to filter, Ctrl-R for an older match, Enter takes, Esc cancels', async () => {
    const stored = ['get /app/one', 'put /app/two 2', 'get /app/three'].map((line, i) => ({
      id: `h${i}`,
      cluster: 'prod',
      line,
      time: '2026-01-01T00:00:00Z',
      exit_code: 0,
      duration_ns: 1,
    }));
    const t = fakeTransport(answers({ 'GET /console/history': { entries: stored } }));
    await renderAt(t);
    await waitFor(() => expect(t.calls.some((c) => c.path === '/console/history')).toBe(true));
    await user.type(input(), 'typed');
    await user.keyboard('{Control>}r{/Control}');
    const search = screen.getByLabelText(/Search history/);
    expect(search).toHaveFocus();
    await user.type(search, 'get');
    const matches = screen.getByRole('listbox', { name: 'Matching lines' });
    expect(
      within(matches)
        .getAllByRole('option')
        .map((o) => o.textContent)
    ).toEqual(['get /app/one', 'get /app/three']);
    expect(within(matches).getByRole('option', { selected: true })).toHaveTextContent('get /app/one');
    await user.keyboard('{Control>}r{/Control}');
    expect(within(matches).getByRole('option', { selected: true })).toHaveTextContent('get /app/three');
    await user.keyboard('{Enter}');
    expect(screen.queryByTestId(ids.search)).not.toBeInTheDocument();
    expect(input()).toHaveValue('get /app/three');
    expect(input()).toHaveFocus();

    await user.keyboard('{Control>}r{/Control}');
    await user.type(screen.getByLabelText(/Search history/), 'put{Escape}');
    expect(screen.queryByTestId(ids.search)).not.toBeInTheDocument();
    expect(input()).toHaveValue('get /app/three');
    expect(input()).toHaveFocus();
  });

  test('the reverse search says when nothing matches, and a click takes a match', async () => {
    const t = fakeTransport(answers());
    await renderAt(t);
    await user.type(input(), 'get /one{Enter}');
    await screen.findByTestId(ids.stdout);
    await user.type(input(), 'get /two{Enter}');
    await waitFor(() => expect(screen.getAllByTestId(ids.stdout)).toHaveLength(2));
    await user.keyboard('{Control>}r{/Control}');
    await user.type(screen.getByLabelText(/Search history/), 'zzz');
    expect(screen.getByTestId(ids.search)).toHaveTextContent('No line in the history contains “zzz”.');
    await user.clear(screen.getByLabelText(/Search history/));
    await user.click(within(screen.getByRole('listbox', { name: 'Matching lines' })).getByText('get /one'));
    expect(screen.queryByTestId(ids.search)).not.toBeInTheDocument();
    expect(input()).toHaveValue('get /one');
  });

  test('Tab with one candidate completes in place, at the cursor in UTF-8 bytes', async () => {
    const t = fakeTransport(
      answers({
        'GET /clusters/prod/complete': { from: 4, to: 11, candidates: [{ text: '/app/é/', kind: 'key' }] },
      })
    );
    await renderAt(t);
    await user.type(input(), 'get /app/é --prefix');
    input().setSelectionRange(10, 10);
    await user.keyboard('{Tab}');
    await waitFor(() => expect(input()).toHaveValue('get /app/é/ --prefix'));
    expect(completeCalls(t)).toEqual([{ line: 'get /app/é --prefix', cursor: 11 }]);
    expect(input()).toHaveFocus();
    expect(input().selectionStart).toBe(11);
  });

  test('Tab with several candidates lists them with descriptions; arrows choose, Enter takes', async () => {
    const t = fakeTransport(
      answers({
        'GET /clusters/prod/complete': {
          from: 4,
          to: 9,
          candidates: [
            { text: '/app/a/', kind: 'key', description: '12 keys' },
            { text: '/app/b', kind: 'key' },
          ],
          truncated: true,
        },
      })
    );
    await renderAt(t);
    await user.type(input(), 'get /app/');
    await user.keyboard('{Tab}');
    const list = await screen.findByRole('listbox', { name: 'Completions' });
    expect(
      within(list)
        .getAllByRole('option')
        .map((o) => o.textContent)
    ).toEqual(['/app/a/12 keyskey', '/app/bkey']);
    expect(screen.getByText(/More candidates than shown/)).toBeInTheDocument();
    expect(input()).toHaveAttribute('aria-activedescendant', 'etcdctl-completions-0');
    await user.keyboard('{ArrowDown}');
    expect(input()).toHaveAttribute('aria-activedescendant', 'etcdctl-completions-1');
    await user.keyboard('{Enter}');
    expect(input()).toHaveValue('get /app/b ');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
    expect(consoleCalls(t)).toEqual([]);
  });

  test('the list closes on Esc, on typing, and a click takes a candidate', async () => {
    const t = fakeTransport(
      answers({
        'GET /clusters/prod/complete': (o: RequestOptions) => ({
          from: 0,
          to: o.query?.cursor,
          candidates: [
            { text: 'get', kind: 'command', description: 'Gets the key or a range of keys' },
            { text: 'grant', kind: 'command' },
          ],
        }),
      })
    );
    await renderAt(t);
    await user.type(input(), 'g{Tab}');
    await screen.findByRole('listbox', { name: 'Completions' });
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
    expect(input()).toHaveValue('g');
    await user.keyboard('{Tab}');
    await screen.findByRole('listbox', { name: 'Completions' });
    await user.keyboard('e');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
    expect(input()).toHaveValue('ge');
    await user.keyboard('{Tab}');
    await user.click(await screen.findByTestId(ids.completion('grant')));
    expect(input()).toHaveValue('grant ');
  });

  test('no candidates, or a failed completion, are said under the prompt', async () => {
    const t = fakeTransport(answers({ 'GET /clusters/prod/complete': { from: 0, to: 3, candidates: [] } }));
    await renderAt(t);
    await user.type(input(), 'zzz{Tab}');
    await waitFor(() => expect(screen.getByTestId(ids.completionNote)).toHaveTextContent('No completions here.'));
    t.answers['GET /clusters/prod/complete'] = new ApiError('cluster prod is unavailable', 503);
    await user.keyboard('{Tab}');
    await waitFor(() =>
      expect(screen.getByTestId(ids.completionNote)).toHaveTextContent('Completion failed: cluster prod is unavailable')
    );
    expect(input()).toHaveValue('zzz');
  });

  test('Esc then Tab leaves the command line for the next control', async () => {
    const t = fakeTransport(answers());
    await renderAt(t);
    await user.type(input(), 'get');
    await user.keyboard('{Escape}{Tab}');
    expect(input()).not.toHaveFocus();
    expect(screen.getByTestId(ids.submit)).toHaveFocus();
    expect(completeCalls(t)).toEqual([]);
  });

  test('Clear empties the scrollback', async () => {
    const t = fakeTransport(answers());
    await renderAt(t);
    await user.type(input(), 'get /a{Enter}');
    await user.type(input(), 'get /b{Enter}');
    await waitFor(() => expect(runLines()).toEqual(['prod$ get /a', 'prod$ get /b']));
    await user.click(screen.getByRole('button', { name: 'Clear output' }));
    expect(runLines()).toEqual([]);
    expect(screen.getByTestId(ids.clear)).toBeDisabled();
  });

  test('a history that cannot be loaded is said, and the session’s lines still walk', async () => {
    const t = fakeTransport(
      answers({ 'GET /console/history': new ApiError('console history unavailable', 503, 'r9') })
    );
    await renderAt(t);
    expect(await screen.findByTestId(ids.historyProblem)).toHaveTextContent('console history unavailable (request r9)');
    await user.type(input(), 'get /a{Enter}');
    await screen.findByTestId(ids.stdout);
    await user.keyboard('{ArrowUp}');
    expect(input()).toHaveValue('get /a');
  });

  test('another cluster from the picker: its prompt, its history, the scrollback kept', async () => {
    const t = fakeTransport(
      answers({
        'POST /clusters/stage/console': ran({ stdout: 'from stage\n' }),
        'GET /console/history': (o: RequestOptions) => ({
          entries: [
            {
              id: 'h',
              cluster: o.query?.cluster,
              line: `get /${o.query?.cluster}`,
              time: '2026-01-01T00:00:00Z',
              exit_code: 0,
              duration_ns: 1,
            },
          ],
        }),
      })
    );
    await renderAt(t);
    await user.type(input(), 'get /p{Enter}');
    await screen.findByTestId(ids.stdout);
    await user.selectOptions(screen.getByTestId(ids.picker), 'stage');
    expect(screen.getByTestId('location')).toHaveTextContent('?cluster=stage');
    const stageInput = screen.getByLabelText('Command for cluster stage');
    await waitFor(() => expect(t.calls.filter((c) => c.path === '/console/history')).toHaveLength(2));
    await user.click(stageInput);
    await user.keyboard('{ArrowUp}');
    expect(stageInput).toHaveValue('get /stage');
    await user.keyboard('{ArrowUp}');
    expect(stageInput).toHaveValue('get /stage');
    await user.clear(stageInput);
    await user.type(stageInput, 'get /s{Enter}');
    await waitFor(() => expect(runLines()).toEqual(['prod$ get /p', 'stage$ get /s']));
  });

  test('no cluster to use, and a failed cluster list with a retry', async () => {
    const t = fakeTransport(answers({ 'GET /clusters': { clusters: [] } }));
    renderPage(t, '/console', '/console', <CommandConsole />);
    expect(await screen.findByTestId(ids.empty)).toBeInTheDocument();

    const t2 = fakeTransport(answers({ 'GET /clusters': new ApiError('opsproxy is unreachable', 502) }));
    renderPage(t2, '/console', '/console', <CommandConsole />);
    expect(await screen.findByTestId(ids.error)).toHaveTextContent('opsproxy is unreachable');
    t2.answers['GET /clusters'] = { clusters: [{ name: 'prod' }] };
    await user.click(screen.getByTestId(ids.retry));
    expect(await screen.findByTestId(ids.input)).toBeInTheDocument();
  });
  test('keep put values: read, then changed with a PUT', async () => {
    const t = fakeTransport(
      answers({ 'PUT /console/settings': (o: RequestOptions) => o.body as { keep_values: boolean } })
    );
    await renderAt(t);
    const keep = screen.getByLabelText(/Keep put values in my history/);
    await waitFor(() => expect(keep).toBeEnabled());
    expect(keep).not.toBeChecked();
    await user.click(keep);
    await waitFor(() => expect(keep).toBeChecked());
    expect(t.calls.find((c) => c.method === 'PUT')?.opts.body).toEqual({ keep_values: true });

    t.answers['PUT /console/settings'] = new ApiError('console settings unavailable', 503);
    await user.click(keep);
    expect(await screen.findByTestId(ids.settingsError)).toHaveTextContent('console settings unavailable');
    expect(keep).toBeChecked();
  });

  test('Clear history… asks first, deletes the stored lines and forgets the ones held', async () => {
    const stored = [
      { id: 'h', cluster: 'prod', line: 'get /old', time: '2026-01-01T00:00:00Z', exit_code: 0, duration_ns: 1 },
    ];
    const t = fakeTransport(
      answers({ 'GET /console/history': { entries: stored }, 'DELETE /console/history': { deleted: 4 } })
    );
    await renderAt(t);
    await waitFor(() => expect(t.calls.some((c) => c.path === '/console/history')).toBe(true));
    await user.type(input(), 'get /new{Enter}');
    await screen.findByTestId(ids.stdout);
    await user.click(screen.getByTestId(ids.clearHistory));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Every line of your console history is deleted, on every cluster');
    expect(t.calls.some((c) => c.method === 'DELETE')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Clear history' }));
    expect(await screen.findByTestId(ids.historyCleared)).toHaveTextContent('Deleted 4 lines of your history.');
    await user.click(input());
    await user.keyboard('{ArrowUp}');
    expect(input()).toHaveValue('');
    // The scrollback is not the history: it stays.
    expect(runLines()).toEqual(['prod$ get /new']);
  });
});
