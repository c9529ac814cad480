import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { testIds } from '../../components/testIds';
import { PAGE_SIZE } from './KeyList';
import { keyspace } from './keyspaceAnswers';
import { keyReads, renderKeys, transportFor } from './renderKeys';

function big(n: number) {
  const ks = keyspace();
  for (let i = 0; i < n; i++) {
    ks.put(`/big/${String(i).padStart(6, '0')}`, `v${i}`);
  }
  return ks;
}

const listReads = (t: Parameters<typeof keyReads>[0]) => keyReads(t).filter((q) => q.prefix === 'true');

describe('Keys list paging', () => {
  test('reads names only, a page at a time with continue, and renders only the rows in view', async () => {
    const t = transportFor(big(1200));
    renderKeys(t, '/keys?cluster=prod&prefix=/big/');
    expect(await screen.findByTestId(testIds.keys.count)).toHaveTextContent('500 keys loaded, more to come');
    expect(listReads(t)).toEqual([{ key: '/big/', prefix: 'true', keys_only: 'true', limit: PAGE_SIZE }]);
    // The DOM holds the rows in view, not the page.
    expect(screen.getAllByRole('option').length).toBeLessThan(50);

    await userEvent.click(screen.getByTestId(testIds.keys.loadMore));
    expect(await screen.findByTestId(testIds.keys.count)).toHaveTextContent('1,000 keys loaded, more to come');
    expect(listReads(t)[1]).toEqual({
      key: '/big/',
      prefix: 'true',
      keys_only: 'true',
      limit: PAGE_SIZE,
      continue: 'next:/big/000499\0',
    });

    // Scrolling near the end loads the rest without a click.
    const list = screen.getByRole('listbox');
    list.scrollTop = 990 * 28;
    fireEvent.scroll(list);
    await waitFor(() => expect(screen.getByTestId(testIds.keys.count)).toHaveTextContent(/^1,200 keys at revision/));
    expect(screen.queryByTestId(testIds.keys.loadMore)).not.toBeInTheDocument();
    expect(listReads(t)).toHaveLength(3);
    list.scrollTop = 1190 * 28;
    fireEvent.scroll(list);
    expect(screen.getByText('/big/001199')).toBeInTheDocument();
    expect(screen.queryByText('/big/000000')).not.toBeInTheDocument();
    expect(screen.getAllByRole('option').length).toBeLessThan(50);
  });

  test('keeps the loaded keys and offers a retry when a later page fails', async () => {
    const ks = big(600);
    const t = transportFor(ks);
    renderKeys(t, '/keys?cluster=prod&prefix=/big/');
    await screen.findByTestId(testIds.keys.loadMore);
    const answer = t.answers['GET /clusters/prod/keys'];
    t.answers['GET /clusters/prod/keys'] = () => {
      throw new Error('opsproxy did not answer');
    };
    await userEvent.click(screen.getByTestId(testIds.keys.loadMore));
    expect(await screen.findByTestId(testIds.keys.error)).toHaveTextContent('opsproxy did not answer');
    expect(screen.getByTestId(testIds.keys.count)).toHaveTextContent('500 keys loaded');
    t.answers['GET /clusters/prod/keys'] = answer;
    await userEvent.click(screen.getByTestId(testIds.keys.retry));
    expect(await screen.findByTestId(testIds.keys.count)).toHaveTextContent(/^600 keys/);
  });

  test('shows keys that are not UTF-8 as hex', async () => {
    const ks = keyspace({ '/a': 'x' });
    const t = transportFor(ks, {
      'GET /clusters/prod/keys': {
        kvs: [{ key: '/a' }, { key_base64: btoa('/\xff\x00') }],
        more: false,
      },
    });
    renderKeys(t);
    expect(await screen.findByText('(not UTF-8) 2f ff 00')).toBeInTheDocument();
  });
});
