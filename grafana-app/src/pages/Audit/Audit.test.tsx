import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError, type AuditRecord } from '../../api';
import { fakeTransport, type FakeTransport } from '../../api/fakeTransport';
import { testIds } from '../../components/testIds';
import { renderPage } from '../testing/renderPage';
import { Audit } from './Audit';

function renderAt(t: FakeTransport, url = '/audit', canVerify = true) {
  return renderPage(t, '/audit', url, <Audit canVerify={canVerify} />);
}

function rec(seq: number, extra: Partial<AuditRecord> = {}): AuditRecord {
  return {
    seq,
    time: `2026-12-06T08:00:${String(seq).padStart(2, '0')}Z`,
    user: 'alice',
    cluster: 'prod',
    operation: 'kv.put',
    key: `/app/k${seq}`,
    outcome: 'succeeded',
    request_id: `req-${seq}`,
    ...extra,
  };
}

const rows = () =>
  within(screen.getByTestId(testIds.audit.table))
    .getAllByRole('row')
    .slice(1)
    .map((r) => within(r).getAllByRole('cell')[0].textContent);

describe('Audit', () => {
  test('shows the records matching the filters in the URL, and a CSV link for the same filters', async () => {
    const t = fakeTransport(
      { 'GET /audit': { records: [rec(3), rec(2, { outcome: 'denied', error: 'viewer may not put' })] } },
      '/res'
    );
    renderAt(t, '/audit?user=alice&outcome=denied');
    expect(screen.getByTestId(testIds.audit.loading)).toBeInTheDocument();
    await screen.findByTestId(testIds.audit.table);
    expect(rows()).toEqual(['3', '2']);
    expect(screen.getByText('viewer may not put')).toBeInTheDocument();
    expect(t.calls[0].opts.query).toMatchObject({ user: 'alice', outcome: 'denied', order: 'desc' });
    expect(screen.getByLabelText('User')).toHaveValue('alice');
    expect(screen.getByTestId(testIds.audit.csv)).toHaveAttribute(
      'href',
      '/res/audit?user=alice&outcome=denied&format=csv'
    );
    expect(screen.getByText('No older records.')).toBeInTheDocument();
  });

  test('applying the filters puts them in the URL and queries with them', async () => {
    const t = fakeTransport({ 'GET /audit': { records: [rec(1)] } });
    renderAt(t);
    await screen.findByTestId(testIds.audit.table);
    await userEvent.type(screen.getByLabelText('Cluster'), 'prod');
    await userEvent.selectOptions(screen.getByLabelText('Outcome'), 'failed');
    await userEvent.type(screen.getByLabelText('Request id'), 'abc{Enter}');
    await waitFor(() => expect(t.calls).toHaveLength(2));
    expect(screen.getByTestId('location')).toHaveTextContent('?cluster=prod&outcome=failed&request_id=abc');
    expect(t.calls[1].opts.query).toMatchObject({ cluster: 'prod', outcome: 'failed', request_id: 'abc' });
    expect(screen.queryByTestId(testIds.audit.csv)).not.toBeInTheDocument(); // no links over this transport
  });

  test('clearing the filters empties the URL and the form', async () => {
    const t = fakeTransport({ 'GET /audit': { records: [rec(1)] } });
    renderAt(t, '/audit?user=alice&cluster=prod');
    await screen.findByTestId(testIds.audit.table);
    await userEvent.click(screen.getByTestId(testIds.audit.clear));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^$/));
    expect(screen.getByLabelText('User')).toHaveValue('');
    expect(screen.getByLabelText('Cluster')).toHaveValue('');
    await waitFor(() => expect(t.calls).toHaveLength(2));
    expect(t.calls[1].opts.query).toMatchObject({ user: undefined, cluster: undefined });
  });

  test('does not offer verify to a user who may not verify', async () => {
    renderAt(fakeTransport({ 'GET /audit': { records: [rec(1)] } }), '/audit', false);
    await screen.findByTestId(testIds.audit.table);
    expect(screen.queryByTestId(testIds.audit.verify)).not.toBeInTheDocument();
  });

  test('says when no records match', async () => {
    renderAt(fakeTransport({ 'GET /audit': { records: [] } }), '/audit?user=nobody');
    expect(await screen.findByTestId(testIds.audit.empty)).toHaveTextContent(/no records match/i);
  });

  test('shows the API’s error and retries', async () => {
    const t = fakeTransport({
      'GET /audit': new ApiError('from: want an RFC 3339 time such as 2026-01-02T15:04:05Z', 400, 'r1'),
    });
    renderAt(t, '/audit?from=yesterday');
    const alert = await screen.findByTestId(testIds.audit.error);
    expect(alert).toHaveTextContent('from: want an RFC 3339 time');
    expect(alert).toHaveTextContent('r1');
    t.answers['GET /audit'] = { records: [rec(1)] };
    await userEvent.click(screen.getByTestId(testIds.audit.retry));
    await screen.findByTestId(testIds.audit.table);
    expect(screen.queryByTestId(testIds.audit.error)).not.toBeInTheDocument();
  });

  test('pages to older records with the cursor', async () => {
    const t = fakeTransport({
      'GET /audit': (opts: { query?: Record<string, unknown> }) =>
        opts.query?.cursor === 2 ? { records: [rec(1)] } : { records: [rec(3), rec(2)], next: 2 },
    });
    renderAt(t);
    await screen.findByTestId(testIds.audit.table);
    expect(rows()).toEqual(['3', '2']);
    await userEvent.click(screen.getByTestId(testIds.audit.older));
    await waitFor(() => expect(rows()).toEqual(['3', '2', '1']));
    expect(t.calls[1].opts.query).toMatchObject({ cursor: 2, order: 'desc' });
    expect(screen.queryByTestId(testIds.audit.older)).not.toBeInTheDocument();
  });

  test('verify shows an intact log with its seal report', async () => {
    const t = fakeTransport({
      'GET /audit': { records: [rec(1)] },
      'GET /audit/verify': { ok: true, verification: { checked: 120 }, seal: { checkpoints: 4, sealed: 118 } },
    });
    renderAt(t);
    await userEvent.click(screen.getByTestId(testIds.audit.verify));
    const ok = await screen.findByTestId(testIds.audit.verifyOk);
    expect(ok).toHaveTextContent('120 records checked');
    expect(screen.getByTestId(testIds.audit.seal)).toHaveTextContent('Signed checkpoints: 4; sealed up to record 118');
  });

  test('verify names the record where the chain breaks, and shows a refusal', async () => {
    const t = fakeTransport({
      'GET /audit': { records: [rec(1)] },
      'GET /audit/verify': {
        ok: false,
        verification: { checked: 57, break: { seq: 57, reason: 'hash does not match the record' } },
        seal: { checkpoints: 1, sealed: 50, problems: [{ seq: 57, source: 'checkpoint 1', reason: 'head differs' }] },
      },
    });
    renderAt(t);
    await userEvent.click(screen.getByTestId(testIds.audit.verify));
    const broken = await screen.findByTestId(testIds.audit.verifyBroken);
    expect(broken).toHaveTextContent('Broken at record 57: hash does not match the record.');
    expect(within(broken).getByText('record 57 (checkpoint 1): head differs')).toBeInTheDocument();

    t.answers['GET /audit/verify'] = new ApiError('audit.verify needs the admin role', 403);
    await userEvent.click(screen.getByTestId(testIds.audit.verify));
    expect(await screen.findByTestId(testIds.audit.verifyError)).toHaveTextContent('audit.verify needs the admin role');
  });
});
