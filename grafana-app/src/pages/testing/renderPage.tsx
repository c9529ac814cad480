import React from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { render } from '@testing-library/react';
import { ApiProvider } from '../../api';
import type { FakeTransport } from '../../api/fakeTransport';

// For the pages' tests: Location shows the URL's search in a "location" element, so a test can
// read what the page put in the URL.
function Location() {
  const loc = useLocation();
  return <div data-testid="location">{loc.search}</div>;
}

// renderPage renders page, routed at path, with the browser at url and t answering its calls.
export function renderPage(t: FakeTransport, path: string, url: string, page: React.ReactElement) {
  return render(
    <ApiProvider transport={t}>
      <MemoryRouter initialEntries={[url]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route
            path={path}
            element={
              <>
                {page}
                <Location />
              </>
            }
          />
        </Routes>
      </MemoryRouter>
    </ApiProvider>
  );
}
