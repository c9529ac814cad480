import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../../api';
import { testIds } from '../../components/testIds';
import { base64ToBytes, bytesToBase64 } from './bytes';
import { keyspace } from './keyspaceAnswers';
import { keyReads, renderKeys, transportFor } from './renderKeys';

const casCalls = (t: ReturnType<typeof transportFor>) =>
  t.calls.filter((c) => c.method === 'POST' && c.path === '/clusters/prod/keys/cas').map((c) => c.opts.body);

describe('Keys value viewer and editor', () => {
  test('shows a conflict with the current value and never overwrites silently', async () => {
    const ks = keyspace({ '/app/mode': 'blue' });
    const t = transportFor(ks);
    renderKeys(t, '/keys?cluster=prod&key=/app/mode');
    expect(await screen.findByTestId(testIds.keys.value)).toHaveTextContent('blue');
    await userEvent.click(screen.getByTestId(testIds.keys.edit));
    const value = screen.getByLabelText('Value');
    await userEvent.clear(value);
    await userEvent.type(value, 'green');
    // Someone else writes the key meanwhile.
    ks.put('/app/mode', 'red');
    await userEvent.click(screen.getByTestId(testIds.keys.save));

    const conflict = await screen.findByTestId(testIds.keys.conflict);
    expect(conflict).toHaveTextContent('/app/mode is now at mod revision 3, not 2. It holds:');
    expect(conflict).toHaveTextContent('red');
    expect(conflict).toHaveTextContent('Nothing was written.');
    expect(new TextDecoder().decode(ks.entries.get('/app/mode')!.bytes)).toBe('red');
    expect(casCalls(t)).toEqual([{ key: '/app/mode', mod_revision: 2, value: 'green' }]);
    expect(screen.getByTestId(testIds.keys.save)).toBeDisabled();

    // The user chooses to write theirs over it: still a compare-and-swap, on what they saw.
    await userEvent.click(screen.getByTestId(testIds.keys.overwrite));
    await waitFor(() => expect(new TextDecoder().decode(ks.entries.get('/app/mode')!.bytes)).toBe('green'));
    expect(casCalls(t)[1]).toEqual({ key: '/app/mode', mod_revision: 3, value: 'green' });
    expect(await screen.findByTestId(testIds.keys.value)).toHaveTextContent('green');
    expect(screen.queryByTestId(testIds.keys.editor)).not.toBeInTheDocument();
  });

  test('can discard the edit and start again from the current value', async () => {
    const ks = keyspace({ '/app/mode': 'blue' });
    const t = transportFor(ks);
    renderKeys(t, '/keys?cluster=prod&key=/app/mode');
    await screen.findByTestId(testIds.keys.value);
    await userEvent.click(screen.getByTestId(testIds.keys.edit));
    await userEvent.type(screen.getByLabelText('Value'), '!');
    ks.put('/app/mode', 'red');
    await userEvent.click(screen.getByTestId(testIds.keys.save));
    await userEvent.click(await screen.findByTestId(testIds.keys.takeCurrent));
    expect(screen.getByLabelText('Value')).toHaveValue('red');
    await userEvent.type(screen.getByLabelText('Value'), '2');
    await userEvent.click(screen.getByTestId(testIds.keys.save));
    await waitFor(() => expect(new TextDecoder().decode(ks.entries.get('/app/mode')!.bytes)).toBe('red2'));
    expect(casCalls(t)[1]).toEqual({ key: '/app/mode', mod_revision: 3, value: 'red2' });
  });

  test('round-trips bytes that are not UTF-8 unchanged through the hex editor', async () => {
    const bytes = new Uint8Array([0xff, 0x00, 0xfe, 0x80, 0x41, 0x0a, 0xc3]);
    const ks = keyspace({ '/bin/blob': bytes });
    const t = transportFor(ks);
    renderKeys(t, '/keys?cluster=prod&key=/bin/blob');
    const value = await screen.findByTestId(testIds.keys.value);
    expect(screen.getByTestId(testIds.keys.format)).toHaveTextContent('Binary (not UTF-8), shown as hex');
    expect(value.textContent).toBe(`00000000  ff 00 fe 80 41 0a c3${' '.repeat(27)}  |....A..|`);
    expect(screen.getByTestId(testIds.keys.meta)).toHaveTextContent('Size7 B');

    await userEvent.click(screen.getByTestId(testIds.keys.edit));
    expect(screen.getByLabelText('Value (hex bytes)')).toHaveValue('ff 00 fe 80 41 0a c3');
    // These bytes cannot be edited as text.
    await userEvent.click(screen.getByRole('radio', { name: 'Text' }));
    expect(screen.getByTestId(testIds.keys.editorError)).toHaveTextContent('not UTF-8');
    await userEvent.click(screen.getByTestId(testIds.keys.save));
    await waitFor(() => expect(casCalls(t)).toHaveLength(1));
    const sent = casCalls(t)[0] as { value_base64: string; value?: string };
    expect(sent).toEqual({ key: '/bin/blob', mod_revision: 2, value_base64: bytesToBase64(bytes) });
    expect(base64ToBytes(sent.value_base64)).toEqual(bytes);
    expect(ks.entries.get('/bin/blob')!.bytes).toEqual(bytes);

    // A byte changed in hex reaches etcd as that byte.
    await userEvent.click(await screen.findByTestId(testIds.keys.edit));
    const hex = screen.getByLabelText('Value (hex bytes)');
    await userEvent.clear(hex);
    await userEvent.type(hex, 'ff 01');
    await userEvent.click(screen.getByTestId(testIds.keys.save));
    await waitFor(() => expect(ks.entries.get('/bin/blob')!.bytes).toEqual(new Uint8Array([0xff, 0x01])));
  });

  test('names bad hex and sends nothing', async () => {
    const t = transportFor(keyspace({ '/bin/blob': new Uint8Array([0xff]) }));
    renderKeys(t, '/keys?cluster=prod&key=/bin/blob');
    await userEvent.click(await screen.findByTestId(testIds.keys.edit));
    await userEvent.type(screen.getByLabelText('Value (hex bytes)'), ' 0');
    await userEvent.click(screen.getByTestId(testIds.keys.save));
    expect(screen.getByTestId(testIds.keys.editorError)).toHaveTextContent('value: 3 hex digits, want an even number');
    expect(casCalls(t)).toHaveLength(0);
  });

  test('reads an older revision, and explains a compacted one', async () => {
    const ks = keyspace({ '/app/mode': 'blue' });
    ks.put('/app/mode', 'green');
    const t = transportFor(ks);
    renderKeys(t, '/keys?cluster=prod&key=/app/mode');
    await screen.findByTestId(testIds.keys.value);
    const rev = screen.getByLabelText(/^Revision/);
    await userEvent.type(rev, '2{Enter}');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('rev=2'));
    expect(keyReads(t).pop()).toMatchObject({ key: '/app/mode', revision: 2, encoding: 'base64' });
    // Editing is offered on the latest value only.
    expect(screen.queryByTestId(testIds.keys.edit)).not.toBeInTheDocument();

    await userEvent.clear(screen.getByLabelText(/^Revision/));
    await userEvent.type(screen.getByLabelText(/^Revision/), '1{Enter}');
    const compacted = await screen.findByTestId(testIds.keys.compacted);
    expect(compacted).toHaveTextContent('Revision 1 has been compacted');
    expect(compacted).toHaveTextContent('etcd keeps the history of keys only back to its last compaction');
    await userEvent.click(within(compacted).getByRole('button', { name: 'Show the latest value' }));
    expect(await screen.findByTestId(testIds.keys.value)).toHaveTextContent('green');
    expect(screen.getByTestId('location')).not.toHaveTextContent('rev=');
  });

  test('refuses a revision that is not a whole number', async () => {
    const t = transportFor(keyspace({ '/a': '1' }));
    renderKeys(t, '/keys?cluster=prod&key=/a');
    await screen.findByTestId(testIds.keys.value);
    await userEvent.type(screen.getByLabelText(/^Revision/), 'abc');
    expect(screen.getByText('revision: a whole number above 0')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.keys.showRevision)).toBeDisabled();
  });

  test('creates a key only if it does not exist yet', async () => {
    const ks = keyspace({ '/app/taken': 'mine' });
    const t = transportFor(ks);
    renderKeys(t, '/keys?cluster=prod&prefix=/app/');
    await userEvent.click(await screen.findByTestId(testIds.keys.newKey));
    const key = screen.getByLabelText('Key');
    expect(key).toHaveValue('/app/');
    await userEvent.type(key, 'taken');
    await userEvent.type(screen.getByLabelText('Value'), 'theirs');
    await userEvent.click(screen.getByTestId(testIds.keys.save));
    expect(await screen.findByTestId(testIds.keys.conflict)).toHaveTextContent(
      '/app/taken already exists (mod revision 2)'
    );
    expect(casCalls(t)).toEqual([{ key: '/app/taken', mod_revision: 0, value: 'theirs' }]);
    expect(new TextDecoder().decode(ks.entries.get('/app/taken')!.bytes)).toBe('mine');

    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await userEvent.click(screen.getByTestId(testIds.keys.newKey));
    await userEvent.type(screen.getByLabelText('Key'), 'new');
    await userEvent.type(screen.getByLabelText('Value'), '{{"a":1}');
    await userEvent.click(screen.getByTestId(testIds.keys.save));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('key=/app/new'));
    expect(casCalls(t)[1]).toEqual({ key: '/app/new', mod_revision: 0, value: '{"a":1}' });
    expect(await screen.findByTestId(testIds.keys.row('/app/new'))).toBeInTheDocument();
    expect(await screen.findByTestId(testIds.keys.value)).toHaveTextContent('"a": 1');
  });

  test('names an empty key and sends nothing', async () => {
    const t = transportFor(keyspace());
    renderKeys(t);
    await userEvent.click(await screen.findByTestId(testIds.keys.newKey));
    await userEvent.click(screen.getByTestId(testIds.keys.save));
    expect(screen.getByTestId(testIds.keys.editorError)).toHaveTextContent('key: must not be empty');
    expect(casCalls(t)).toHaveLength(0);
  });

  test('shows a refused or oversized write, and the key stays as it was', async () => {
    const ks = keyspace({ '/app/mode': 'blue' });
    const t = transportFor(ks, {
      'POST /clusters/prod/keys/cas': new ApiError('key /app/mode is outside the token key prefixes', 403, 'r-403'),
    });
    renderKeys(t, '/keys?cluster=prod&key=/app/mode');
    await userEvent.click(await screen.findByTestId(testIds.keys.edit));
    await userEvent.type(screen.getByLabelText('Value'), '!');
    await userEvent.click(screen.getByTestId(testIds.keys.save));
    expect(await screen.findByTestId(testIds.keys.editorError)).toHaveTextContent(
      'Not allowed: opsproxy refused this for your token or role (keys outside its prefixes). key /app/mode is outside the token key prefixes (request r-403)'
    );
    t.answers['POST /clusters/prod/keys/cas'] = new ApiError(
      'key and value are 2097200 bytes: etcd accepts at most 1572864 per request (max_request_bytes 1573864)',
      413
    );
    await userEvent.click(screen.getByTestId(testIds.keys.save));
    await waitFor(() =>
      expect(screen.getByTestId(testIds.keys.editorError)).toHaveTextContent('etcd accepts at most 1572864 per request')
    );
    expect(screen.getByLabelText('Value')).toHaveValue('blue!');
    expect(new TextDecoder().decode(ks.entries.get('/app/mode')!.bytes)).toBe('blue');
  });
});
