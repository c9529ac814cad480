import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { render, screen } from '@testing-library/react';
import { of } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import type { AppRootProps } from '@grafana/data';
import App from './App';
import { testIds } from '../testIds';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

// The pages reach opsproxy through the plugin's resources.
function backend() {
  const fetch = jest.fn((req: { url: string }) => {
    if (req.url === '/api/plugins/etcdmonitor-etcd-app/resources/api/v1/clusters/prod/members') {
      return of({ status: 200, data: { members: [{ id: 'a1', name: 'm1' }] } });
    }
    if (req.url.startsWith('/api/plugins/etcdmonitor-etcd-app/resources/api/v1/clusters/prod/')) {
      return of({ status: 200, data: {} });
    }
    if (req.url.startsWith('/api/plugins/etcdmonitor-etcd-app/resources/api/v1/clusters')) {
      return of({ status: 200, data: { clusters: [] } });
    }
    if (
      req.url.startsWith('/api/plugins/etcdmonitor-etcd-app/resources/api/v1/whoami') ||
      req.url.startsWith('/api/plugins/etcdmonitor-etcd-app/resources/api/v1/console/')
    ) {
      return of({ status: 200, data: {} });
    }
    if (req.url.startsWith('/api/plugins/etcdmonitor-etcd-app/resources/api/v1/audit')) {
      return of({ status: 200, data: { records: [] } });
    }
    throw new Error(`unexpected ${req.url}`);
  });
  (getBackendSrv as jest.Mock).mockReturnValue({ fetch });
  return fetch;
}

function renderAt(url: string) {
  return render(
    <MemoryRouter initialEntries={[url]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <App {...({} as AppRootProps)} />
    </MemoryRouter>
  );
}

describe('App', () => {
  beforeEach(() => jest.resetAllMocks());

  test('opens on the Overview page, through the plugin resources', async () => {
    const fetch = backend();
    renderAt('/');
    expect(await screen.findByTestId(testIds.overview.empty)).toBeInTheDocument();
    expect(fetch.mock.calls[0][0]).toMatchObject({
      url: '/api/plugins/etcdmonitor-etcd-app/resources/api/v1/clusters',
    });
  });

  test('routes cluster to the Cluster page for the cluster in the link', async () => {
    backend();
    renderAt('/cluster?cluster=prod');
    expect(await screen.findByTestId(testIds.cluster.member('a1'))).toBeInTheDocument();
    expect(screen.getByTestId(testIds.cluster.page)).toBeInTheDocument();
  });

  test('routes maintenance to the Maintenance page for the cluster in the link', async () => {
    backend();
    renderAt('/maintenance?cluster=prod');
    expect(await screen.findByTestId(testIds.maintenance.page)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.maintenance.picker)).toHaveValue('prod');
  });

  test('routes keys to the Keys page', async () => {
    backend();
    renderAt('/keys');
    expect(await screen.findByTestId(testIds.keys.empty)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.keys.page)).toBeInTheDocument();
  });

  test('routes console to the Console page, through the plugin resources', async () => {
    const fetch = backend();
    renderAt('/console');
    expect(await screen.findByTestId(testIds.etcdctl.empty)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.etcdctl.page)).toBeInTheDocument();
    expect(fetch.mock.calls.map((c) => c[0].url)).toContain(
      '/api/plugins/etcdmonitor-etcd-app/resources/api/v1/clusters'
    );
  });

  test('routes audit to the Audit page', async () => {
    backend();
    renderAt('/audit?user=alice');
    expect(await screen.findByTestId(testIds.audit.empty)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.audit.page)).toBeInTheDocument();
  });
});
