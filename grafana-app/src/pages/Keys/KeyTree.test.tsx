import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { testIds } from '../../components/testIds';
import { CHILD_BATCH, MAX_TREE_CHILDREN } from './KeyTree';
import { keyspace } from './keyspaceAnswers';
import { keyReads, renderKeys, transportFor } from './renderKeys';

// Range reads with range_end are the tree's skip-scan.
const scans = (t: Parameters<typeof keyReads>[0]) => keyReads(t).filter((q) => q.range_end !== undefined);

describe('Keys tree', () => {
  test('finds children by skip-scan, not by reading every key, and only when opened', async () => {
    const ks = keyspace({ '/registry/health': 'ok' });
    for (let ns = 0; ns < 3; ns++) {
      for (let p = 0; p < 400; p++) {
        ks.put(`/registry/pods/ns${ns}/pod${p}`, 'spec');
      }
    }
    for (let s = 0; s < 300; s++) {
      ks.put(`/registry/services/svc${s}`, 'spec');
    }
    const t = transportFor(ks);
    renderKeys(t, '/keys?cluster=prod&prefix=/registry/');
    const tree = await screen.findByTestId(testIds.keys.tree);
    expect(await within(tree).findByText('pods/')).toBeInTheDocument();
    expect(within(tree).getByText('services/')).toBeInTheDocument();
    expect(within(tree).getByText('health')).toBeInTheDocument();
    // Three children under 1,501 keys: three reads (the first finds health and pods/).
    expect(scans(t)).toEqual([
      { key: '/registry/', range_end: '/registry0', keys_only: 'true', limit: 16 },
      { key: '/registry/pods0', range_end: '/registry0', keys_only: 'true', limit: 16 },
      { key: '/registry/services0', range_end: '/registry0', keys_only: 'true', limit: 16 },
    ]);
    expect(within(tree).queryByText('ns0/')).not.toBeInTheDocument();

    await userEvent.click(within(tree).getByRole('button', { name: 'Expand /registry/pods/' }));
    expect(await within(tree).findByText('ns2/')).toBeInTheDocument();
    expect(within(tree).getByText('ns0/')).toBeInTheDocument();
    expect(scans(t).slice(3)).toEqual([
      { key: '/registry/pods/', range_end: '/registry/pods0', keys_only: 'true', limit: 16 },
      { key: '/registry/pods/ns00', range_end: '/registry/pods0', keys_only: 'true', limit: 16 },
      { key: '/registry/pods/ns10', range_end: '/registry/pods0', keys_only: 'true', limit: 16 },
      { key: '/registry/pods/ns20', range_end: '/registry/pods0', keys_only: 'true', limit: 16 },
    ]);

    // A node chosen in the tree is the key list's prefix, and in the URL.
    await userEvent.click(within(tree).getByRole('button', { name: 'ns1/' }));
    expect(await screen.findByTestId(testIds.keys.count)).toHaveTextContent('400 keys');
    expect(screen.getByTestId('location')).toHaveTextContent('dir=/registry/pods/ns1/');
    // A leaf opens its key.
    await userEvent.click(within(tree).getByRole('button', { name: 'health' }));
    expect(await screen.findByTestId(testIds.keys.value)).toHaveTextContent('ok');
  });

  // 500 children rendered ten times over: the slowest test here.
  test('shows many children a batch at a time, then sends the user to the paged list', async () => {
    const ks = keyspace();
    for (let i = 0; i < 600; i++) {
      ks.put(`/wide/k${String(i).padStart(4, '0')}/x`, 'v');
    }
    const t = transportFor(ks);
    renderKeys(t, '/keys?cluster=prod&prefix=/wide/');
    const tree = await screen.findByTestId(testIds.keys.tree);
    expect(await within(tree).findByText(`k${String(CHILD_BATCH - 1).padStart(4, '0')}/`)).toBeInTheDocument();
    expect(within(tree).queryByText(`k${String(CHILD_BATCH).padStart(4, '0')}/`)).not.toBeInTheDocument();
    // Each batch ends with the button for the next, until the tree has shown MAX_TREE_CHILDREN.
    let batches = 1;
    while (within(tree).queryByTestId(testIds.keys.treeMore('/wide/'))) {
      await userEvent.click(within(tree).getByTestId(testIds.keys.treeMore('/wide/')));
      batches++;
      await waitFor(() => expect(within(tree).getAllByTitle(/^\/wide\/k/)).toHaveLength(batches * CHILD_BATCH));
      await waitFor(() => expect(within(tree).queryByText('Loading…')).not.toBeInTheDocument());
    }
    expect(batches * CHILD_BATCH).toBe(MAX_TREE_CHILDREN);
    expect(within(tree).getByText(`k${String(MAX_TREE_CHILDREN - 1).padStart(4, '0')}/`)).toBeInTheDocument();
    expect(within(tree).getByText(/Over 500 children/)).toBeInTheDocument();
    await userEvent.click(within(tree).getByText('Page through them in the key list'));
    expect(await screen.findByTestId(testIds.keys.count)).toHaveTextContent('500 keys loaded, more to come');
  }, 90000);

  test('shows a failed read in the tree with a retry', async () => {
    const ks = keyspace({ '/a/b': '1' });
    const t = transportFor(ks);
    const answer = t.answers['GET /clusters/prod/keys'] as (o: unknown) => unknown;
    let fail = true;
    t.answers['GET /clusters/prod/keys'] = (opts: { query?: Record<string, unknown> }) => {
      if (opts.query?.range_end !== undefined && fail) {
        throw new Error('etcd: no leader');
      }
      return answer(opts);
    };
    renderKeys(t, '/keys?cluster=prod&prefix=/a/');
    const err = await screen.findByTestId(testIds.keys.treeError);
    expect(err).toHaveTextContent('etcd: no leader');
    fail = false;
    await userEvent.click(within(err).getByRole('button', { name: 'Retry' }));
    expect(await within(screen.getByTestId(testIds.keys.tree)).findByText('b')).toBeInTheDocument();
  });
});
