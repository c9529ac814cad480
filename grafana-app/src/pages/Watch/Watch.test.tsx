import React, { act } from 'react';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { WatchMessage } from '../../api';
import { fakeTransport, type FakeTransport } from '../../api/fakeTransport';
import { testIds } from '../../components/testIds';
import { renderPage } from '../testing/renderPage';
import { eventsAsJsonLines } from './exportEvents';
import { MAX_SHOWN } from './useWatch';
import { Watch } from './Watch';

// renderAt renders the page at url and waits for the cluster list the form offers.
async function renderAt(t: FakeTransport, url: string) {
  renderPage(t, '/watch', url, <Watch />);
  await waitFor(() => expect(document.querySelector('#watch-clusters option')).not.toBeNull());
}

function put(key: string, value: string, rev: number, prev?: string): WatchMessage {
  return {
    event: 'put',
    id: rev,
    data: {
      type: 'put',
      kv: { key, value, mod_revision: rev },
      prev_kv: prev === undefined ? undefined : { key, value: prev },
    },
  };
}

function del(key: string, rev: number): WatchMessage {
  return { event: 'delete', id: rev, data: { type: 'delete', kv: { key, mod_revision: rev } } };
}

function push(t: FakeTransport, ...m: WatchMessage[]) {
  act(() => {
    expect(t.push(...m)).toBe(true);
  });
}

// keys answers the rows shown as "revision type key value" (querySelectorAll, not getAllByRole,
// whose role computation is slow on a thousand rows).
const keys = () =>
  Array.from(screen.getByTestId(testIds.watch.events).querySelectorAll('tbody tr')).map((r) =>
    Array.from(r.querySelectorAll('td'))
      .slice(0, 4)
      .map((c) => c.textContent)
      .join(' ')
  );

const clusters = { 'GET /clusters': { clusters: [{ name: 'prod' }] } };

// The tests type whole forms: on a busy machine (CI shares two cores) that takes longer than jest's
// default 5 s, which would cut a test short and leave its keystrokes to the next one.
jest.setTimeout(30000);

// A fresh user each test, typing without timers between keystrokes.
let user: ReturnType<typeof userEvent.setup>;
beforeEach(() => {
  user = userEvent.setup({ delay: null });
});

describe('Watch', () => {
  test('starts the watch from the form, puts it in the URL, and shows events as they come', async () => {
    const t = fakeTransport(clusters);
    await renderAt(t, '/watch');
    expect(t.watches).toHaveLength(0);
    await user.type(screen.getByLabelText('Cluster'), 'prod');
    await user.type(screen.getByLabelText('Key'), '/app/');
    await user.click(screen.getByLabelText(/^Prefix/));
    await user.type(screen.getByLabelText('Start revision'), '7{Enter}');
    expect(screen.getByTestId('location')).toHaveTextContent('?cluster=prod&key=%2Fapp%2F&prefix=1&rev=7');
    expect(t.watches[0]).toMatchObject({ cluster: 'prod', query: { key: '/app/', prefix: true, start_revision: 7 } });
    expect(screen.getByTestId(testIds.watch.status)).toHaveTextContent('Connecting');

    push(t, { event: 'open' }, put('/app/a', '1', 8), put('/app/a', '2', 9, '1'), del('/app/a', 10));
    push(t, { event: 'progress', id: 12, data: { revision: 12 } });
    expect(screen.getByTestId(testIds.watch.status)).toHaveTextContent('Connected, watching · up to revision 12');
    expect(keys()).toEqual(['10 delete /app/a ', '9 put /app/a 2', '8 put /app/a 1']);
  });

  test('a start revision that is not a number is refused naming the field', async () => {
    const t = fakeTransport(clusters);
    await renderAt(t, '/watch?cluster=prod');
    await user.type(screen.getByLabelText('Key'), '/k');
    await user.type(screen.getByLabelText('Start revision'), 'ten{Enter}');
    expect(screen.getByText(/Start revision: want a whole number/)).toBeInTheDocument();
    expect(t.watches).toHaveLength(0);
  });

  test('pause holds new events and counts them; resume shows them', async () => {
    const t = fakeTransport(clusters);
    await renderAt(t, '/watch?cluster=prod&key=%2Fk');
    push(t, { event: 'open' }, put('/k', 'a', 2));
    await user.click(screen.getByTestId(testIds.watch.pause));
    push(t, put('/k', 'b', 3), put('/k', 'c', 4));
    expect(screen.getByTestId(testIds.watch.buffered)).toHaveTextContent('2 new events held while paused');
    expect(keys()).toEqual(['2 put /k a']);
    expect(screen.getByTestId(testIds.watch.pause)).toHaveAttribute('aria-pressed', 'true');
    await user.click(screen.getByTestId(testIds.watch.pause));
    expect(keys()).toEqual(['4 put /k c', '3 put /k b', '2 put /k a']);
    expect(screen.queryByTestId(testIds.watch.buffered)).not.toBeInTheDocument();
  });

  test('filters by type and key substring, kept in the URL', async () => {
    const t = fakeTransport(clusters);
    await renderAt(t, '/watch?cluster=prod&key=%2F&prefix=1');
    push(t, put('/app/a', '1', 2), put('/db/b', '1', 3), del('/app/a', 4));
    await user.selectOptions(screen.getByLabelText('Type'), 'put');
    expect(keys()).toEqual(['3 put /db/b 1', '2 put /app/a 1']);
    await user.type(screen.getByLabelText('Key contains'), 'app');
    expect(keys()).toEqual(['2 put /app/a 1']);
    expect(screen.getByTestId('location')).toHaveTextContent('type=put&q=app');
    await user.type(screen.getByLabelText('Key contains'), 'zzz');
    expect(screen.getByTestId(testIds.watch.empty)).toHaveTextContent('No events match the filters.');
    expect(t.watches).toHaveLength(1);
  });

  test('export downloads the shown events as JSON lines through a Blob URL', async () => {
    const created: Blob[] = [];
    URL.createObjectURL = jest.fn((b: Blob) => {
      created.push(b);
      return 'blob:watch';
    });
    URL.revokeObjectURL = jest.fn();
    const clicked = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement
    ) {
      expect(this.download).toBe('watch-prod.jsonl');
      expect(this.href).toBe('blob:watch');
    });
    const t = fakeTransport(clusters);
    await renderAt(t, '/watch?cluster=prod&key=%2Fk&type=put');
    push(t, put('/k', 'a', 2), del('/k', 3), put('/k', 'b', 4, 'a'));
    await user.click(screen.getByTestId(testIds.watch.export));
    expect(clicked).toHaveBeenCalledTimes(1);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:watch');
    const text = await new Promise<string>((resolve) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result));
      r.readAsText(created[0]);
    });
    expect(text.split('\n')).toEqual([
      '{"type":"put","kv":{"key":"/k","value":"a","mod_revision":2}}',
      '{"type":"put","kv":{"key":"/k","value":"b","mod_revision":4},"prev_kv":{"key":"/k","value":"a"}}',
      '',
    ]);
    clicked.mockRestore();
  });

  test('keeps the newest events only, and says so', async () => {
    const t = fakeTransport(clusters);
    await renderAt(t, '/watch?cluster=prod&key=%2Fk');
    const many = Array.from({ length: MAX_SHOWN + 5 }, (_, i) => put('/k', String(i), i + 1));
    push(t, ...many);
    expect(screen.getByTestId(testIds.watch.cap)).toHaveTextContent(
      `Showing the last ${MAX_SHOWN} of ${MAX_SHOWN + 5} events received`
    );
    expect(keys()).toHaveLength(MAX_SHOWN);
    expect(keys()[0]).toBe(`${MAX_SHOWN + 5} put /k ${MAX_SHOWN + 4}`);
  });

  test('a compacted start revision is explained, and the watch restarts from the current revision', async () => {
    const t = fakeTransport(clusters);
    await renderAt(t, '/watch?cluster=prod&key=%2Fk&rev=3');
    push(t, {
      event: 'compacted',
      data: { compact_revision: 40 },
      error: 'revision 3 is compacted: read again and watch from the revision read at (the oldest available is 40)',
    });
    const alert = screen.getByTestId(testIds.watch.compacted);
    expect(alert).toHaveTextContent('etcd keeps the history of keys only from revision 40 on');
    await user.click(screen.getByTestId(testIds.watch.fromCurrent));
    expect(screen.getByTestId('location')).toHaveTextContent('?cluster=prod&key=%2Fk');
    expect(t.watches).toHaveLength(2);
    expect(t.watches[0].signal.aborted).toBe(true);
    expect(t.watches[1].query.start_revision).toBeUndefined();
  });

  test('a lost connection shows reconnecting; a refusal shows the error with a retry', async () => {
    const t = fakeTransport(clusters);
    await renderAt(t, '/watch?cluster=prod&key=%2Fk');
    push(t, { event: 'open' }, { event: 'error', error: 'opsproxy at http://ops is unreachable', retrying: true });
    expect(screen.getByTestId(testIds.watch.status)).toHaveTextContent('Connection lost, reconnecting');
    expect(screen.getByTestId(testIds.watch.reconnecting)).toHaveTextContent('opsproxy at http://ops is unreachable');
    push(t, { event: 'open' });
    expect(screen.queryByTestId(testIds.watch.reconnecting)).not.toBeInTheDocument();

    push(t, { event: 'error', status: 403, error: 'viewer may not read cluster prod' });
    expect(screen.getByTestId(testIds.watch.error)).toHaveTextContent('viewer may not read cluster prod');
    await user.click(screen.getByTestId(testIds.watch.retry));
    expect(t.watches).toHaveLength(2);
    expect(screen.queryByTestId(testIds.watch.error)).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.watch.status)).toHaveTextContent('Connecting');
  });

  test('JSON lines hold one event a line, bytes that are not UTF-8 as base64', () => {
    expect(eventsAsJsonLines([{ type: 'delete', kv: { key_base64: '/w==', mod_revision: 5 } }])).toBe(
      '{"type":"delete","kv":{"key_base64":"/w==","mod_revision":5}}\n'
    );
  });
});
