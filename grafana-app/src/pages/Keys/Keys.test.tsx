import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../../api';
import { testIds } from '../../components/testIds';
import { FIRST_PAGE_MARK } from './KeyList';
import { keyspace } from './keyspaceAnswers';
import { keyReads, renderKeys, transportFor } from './renderKeys';

const sample = () =>
  keyspace({
    '/app/config': '{"replicas":3,"image":"web:1.2"}',
    '/app/feature/dark-mode': 'on',
    '/app/feature/search': 'off',
    '/registry/pods/default/web-1': 'spec:\n  containers:\n    - name: web\n',
  });

describe('Keys page', () => {
  test('shows the tree, the keys and a value, and marks the first page for timing', async () => {
    // jsdom has no performance.mark; the browser does.
    const mark = jest.fn();
    Object.defineProperty(performance, 'mark', { value: mark, configurable: true });
    const t = transportFor(sample());
    renderKeys(t);
    expect(await screen.findByTestId(testIds.keys.row('/app/config'))).toBeInTheDocument();
    expect(screen.getByTestId(testIds.keys.count)).toHaveTextContent('4 keys at revision 5');
    expect(mark).toHaveBeenCalledWith(FIRST_PAGE_MARK);
    expect(mark).toHaveBeenCalledTimes(1);
    delete (performance as { mark?: unknown }).mark;
    const tree = screen.getByTestId(testIds.keys.tree);
    await userEvent.click(await within(tree).findByRole('button', { name: 'Expand /' }));
    await within(tree).findByText('app/');
    expect(within(tree).getByText('registry/')).toBeInTheDocument();

    await userEvent.click(screen.getByTestId(testIds.keys.row('/app/config')));
    const value = await screen.findByTestId(testIds.keys.value);
    expect(value.textContent).toBe('{\n  "replicas": 3,\n  "image": "web:1.2"\n}');
    expect(screen.getByTestId(testIds.keys.format)).toHaveTextContent('JSON');
    const meta = screen.getByTestId(testIds.keys.meta);
    expect(meta).toHaveTextContent('Size32 B');
    expect(meta).toHaveTextContent('Create revision2');
    expect(meta).toHaveTextContent('Mod revision2');
    expect(meta).toHaveTextContent('Version1');
    expect(meta).toHaveTextContent('Leasenone');
    expect(screen.getByTestId('location')).toHaveTextContent('?cluster=prod&key=/app/config');
    // The value is read with every byte in base64.
    expect(keyReads(t).pop()).toMatchObject({ key: '/app/config', encoding: 'base64' });
  });

  test('keeps YAML as it is', async () => {
    renderKeys(transportFor(sample()), '/keys?cluster=prod&key=/registry/pods/default/web-1');
    const value = await screen.findByTestId(testIds.keys.value);
    expect(value.textContent).toBe('spec:\n  containers:\n    - name: web\n');
    expect(screen.getByTestId(testIds.keys.format)).toHaveTextContent('YAML');
  });

  test('searches by prefix, and the prefix goes in the URL', async () => {
    const t = transportFor(sample());
    renderKeys(t);
    await screen.findByTestId(testIds.keys.row('/app/config'));
    await userEvent.type(screen.getByLabelText('Key prefix'), '/app/feature/{Enter}');
    expect(await screen.findByTestId(testIds.keys.count)).toHaveTextContent('2 keys');
    expect(screen.queryByTestId(testIds.keys.row('/app/config'))).not.toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('?cluster=prod&prefix=/app/feature/');
    expect(keyReads(t).pop()).toMatchObject({ key: '/app/feature/', prefix: 'true', keys_only: 'true' });
  });

  test('says when a prefix has no keys', async () => {
    renderKeys(transportFor(sample()), '/keys?cluster=prod&prefix=/nothing/');
    expect(await screen.findByTestId(testIds.keys.empty)).toHaveTextContent('There are no keys under /nothing/');
  });

  test('says when there is no cluster', async () => {
    renderKeys(transportFor(keyspace(), { 'GET /clusters': { clusters: [] } }), '/keys');
    expect(await screen.findByTestId(testIds.keys.empty)).toHaveTextContent('No clusters');
  });

  test('picks the first cluster when the link names none, and follows the picker', async () => {
    const t = transportFor(sample(), { 'GET /clusters/lab/keys': { kvs: [] } });
    renderKeys(t, '/keys');
    await screen.findByTestId(testIds.keys.row('/app/config'));
    expect(screen.getByTestId('location')).toHaveTextContent('?cluster=prod');
    await userEvent.selectOptions(screen.getByLabelText('Cluster'), 'lab');
    expect(await screen.findByTestId(testIds.keys.empty)).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('?cluster=lab');
  });

  test('shows an error with a retry when the clusters cannot be listed', async () => {
    const t = transportFor(sample(), { 'GET /clusters': new ApiError('opsproxy did not answer', 0) });
    renderKeys(t);
    expect(await screen.findByTestId(testIds.keys.error)).toHaveTextContent('opsproxy did not answer');
    t.answers['GET /clusters'] = { clusters: [{ name: 'prod' }] };
    await userEvent.click(screen.getByTestId(testIds.keys.retry));
    expect(await screen.findByTestId(testIds.keys.row('/app/config'))).toBeInTheDocument();
  });

  test('shows an error with a retry when the keys cannot be read', async () => {
    const ks = sample();
    const t = transportFor(ks, {
      'GET /clusters/prod/keys': new ApiError('etcd: context deadline exceeded', 503, 'r-1'),
    });
    renderKeys(t);
    const err = await screen.findByTestId(testIds.keys.error);
    expect(err).toHaveTextContent('etcd: context deadline exceeded (request r-1)');
    t.answers['GET /clusters/prod/keys'] = ks.answers('prod')['GET /clusters/prod/keys'];
    await userEvent.click(within(err).getByTestId(testIds.keys.retry));
    expect(await screen.findByTestId(testIds.keys.row('/app/config'))).toBeInTheDocument();
  });

  test('says clearly when the token may not read a prefix', async () => {
    const t = transportFor(sample(), {
      'GET /clusters/prod/keys': new ApiError('key /secret/ is outside the token key prefixes', 403),
    });
    renderKeys(t, '/keys?cluster=prod&prefix=/secret/');
    expect(await screen.findByTestId(testIds.keys.error)).toHaveTextContent(
      'Not allowed: opsproxy refused this for your token or role (keys outside its prefixes). key /secret/ is outside the token key prefixes'
    );
  });

  test('offers a viewer no write action', async () => {
    renderKeys(transportFor(sample()), '/keys?cluster=prod&prefix=/app/&key=/app/config', false);
    expect(await screen.findByTestId(testIds.keys.value)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.keys.edit)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.keys.delete)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.keys.newKey)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.keys.deletePrefix)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /edit|delete|new key|save/i })).not.toBeInTheDocument();
  });

  test('opens keys from the keyboard', async () => {
    renderKeys(transportFor(sample()));
    await screen.findByTestId(testIds.keys.row('/app/config'));
    screen.getByRole('listbox', { name: 'Keys under (all keys)' }).focus();
    await userEvent.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('key=/app/feature/search'));
    expect(await screen.findByTestId(testIds.keys.value)).toHaveTextContent('off');
  });

  test('deleting a prefix asks the user to type it', async () => {
    const ks = sample();
    const t = transportFor(ks);
    renderKeys(t, '/keys?cluster=prod&prefix=/app/');
    await screen.findByTestId(testIds.keys.row('/app/config'));
    await userEvent.click(screen.getByTestId(testIds.keys.deletePrefix));
    const dialog = screen.getByRole('dialog');
    const confirm = within(dialog).getByRole('button', { name: 'Delete keys' });
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByRole('textbox'), '/app');
    expect(confirm).toBeDisabled();
    expect(t.calls.some((c) => c.method === 'DELETE')).toBe(false);
    await userEvent.type(within(dialog).getByRole('textbox'), '/');
    expect(confirm).toBeEnabled();
    await userEvent.click(confirm);
    expect(await screen.findByTestId(testIds.keys.actionDone)).toHaveTextContent('Deleted 3 keys under /app/.');
    expect(t.calls.find((c) => c.method === 'DELETE')?.opts.query).toEqual({ key: '/app/', prefix: 'true' });
    expect(await screen.findByTestId(testIds.keys.empty)).toBeInTheDocument();
    expect([...ks.entries.keys()]).toEqual(['/registry/pods/default/web-1']);
  });

  test('deletes a key after confirmation, only if it is unchanged', async () => {
    const ks = sample();
    const t = transportFor(ks);
    renderKeys(t, '/keys?cluster=prod&key=/app/feature/search');
    await screen.findByTestId(testIds.keys.value);
    await userEvent.click(screen.getByTestId(testIds.keys.delete));
    expect(screen.getByTestId(testIds.keys.confirm)).toHaveTextContent('still at mod revision 4');
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete key' }));
    await waitFor(() => expect(ks.entries.has('/app/feature/search')).toBe(false));
    expect(t.calls.find((c) => c.method === 'POST')?.opts.body).toEqual({
      key: '/app/feature/search',
      mod_revision: 4,
      delete: true,
    });
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\?cluster=prod$/));
  });
});
