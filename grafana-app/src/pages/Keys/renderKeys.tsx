import React from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { render } from '@testing-library/react';
import { ApiProvider } from '../../api';
import { fakeTransport, type Answer, type FakeTransport } from '../../api/fakeTransport';
import { Keys } from './Keys';
import type { Keyspace } from './keyspaceAnswers';

// For the Keys page's tests: the page at url over a fake transport answering the cluster list
// and keyspace ks as cluster prod, with the URL's search shown in a "location" element.

function Location() {
  return <div data-testid="location">{decodeURIComponent(useLocation().search)}</div>;
}

export function transportFor(ks: Keyspace, extra: Record<string, Answer> = {}): FakeTransport {
  return fakeTransport({
    'GET /clusters': { clusters: [{ name: 'prod' }, { name: 'lab' }] },
    ...ks.answers('prod'),
    ...extra,
  });
}

export function renderKeys(t: FakeTransport, url = '/keys?cluster=prod', canWrite = true) {
  return render(
    <ApiProvider transport={t}>
      <MemoryRouter initialEntries={[url]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route
            path="/keys"
            element={
              <>
                <Keys canWrite={canWrite} />
                <Location />
              </>
            }
          />
        </Routes>
      </MemoryRouter>
    </ApiProvider>
  );
}

// keyReads are the transport's reads of the keyspace (GET .../keys), with their query.
export function keyReads(t: FakeTransport, cluster = 'prod') {
  return t.calls
    .filter((c) => c.method === 'GET' && c.path === `/clusters/${cluster}/keys`)
    .map((c) => c.opts.query ?? {});
}
