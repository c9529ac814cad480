import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { of, throwError } from 'rxjs';
import { PluginType } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import AppConfig, { AppConfigProps } from './AppConfig';
import { testIds } from 'components/testIds';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

type Call = { url: string; method?: string; data?: unknown };

// backend answers Grafana's plugin API as Grafana does: settings saved, and the health check's
// result (an error status with the same body when the check fails).
function backend(health: { status: number; body: { status: string; message: string } }, saveFails = false) {
  const calls: Call[] = [];
  const fetch = jest.fn((req: Call) => {
    calls.push(req);
    if (req.url.endsWith('/settings')) {
      if (saveFails) {
        return throwError(() => ({
          status: 500,
          statusText: 'Internal Server Error',
          data: { message: 'database is locked' },
        }));
      }
      return of({ status: 200, data: {} });
    }
    if (req.url.endsWith('/health')) {
      if (health.status >= 400) {
        return throwError(() => ({ status: health.status, statusText: 'Bad Request', data: health.body }));
      }
      return of({ status: 200, data: health.body });
    }
    return throwError(() => new Error(`unexpected ${req.url}`));
  });
  (getBackendSrv as jest.Mock).mockReturnValue({ fetch });
  return calls;
}

function props(meta: Partial<AppConfigProps['plugin']['meta']> = {}): AppConfigProps {
  return {
    plugin: {
      meta: {
        id: 'etcdmonitor-etcd-app',
        name: 'etcd-monitor',
        type: PluginType.app,
        enabled: true,
        pinned: true,
        jsonData: {},
        ...meta,
      },
    },
    query: {},
  } as unknown as AppConfigProps;
}

describe('AppConfig', () => {
  beforeEach(() => jest.resetAllMocks());

  test('renders the opsproxy and TLS settings, save disabled until URL and token are given', () => {
    backend({ status: 200, body: { status: 'OK', message: 'ok' } });
    render(<AppConfig {...props()} />);

    expect(screen.getByRole('group', { name: /opsproxy/i })).toBeInTheDocument();
    expect(screen.getByRole('group', { name: /tls/i })).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.opsproxyUrl)).toHaveValue('');
    expect(screen.getByTestId(testIds.appConfig.serviceToken)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();
  });

  test('shows saved settings, and a saved token as configured without its value', () => {
    backend({ status: 200, body: { status: 'OK', message: 'ok' } });
    render(
      <AppConfig
        {...props({ jsonData: { opsproxyUrl: 'https://opsproxy:9980' }, secureJsonFields: { serviceToken: true } })}
      />
    );
    expect(screen.getByTestId(testIds.appConfig.opsproxyUrl)).toHaveValue('https://opsproxy:9980');
    expect(screen.getByTestId(testIds.appConfig.serviceToken)).toHaveValue('configured');
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeEnabled();
  });

  test('saves the URL in jsonData and the token in secureJsonData, then shows the health check passing', async () => {
    const calls = backend({ status: 200, body: { status: 'OK', message: 'Connected to opsproxy at http://o:9980' } });
    render(<AppConfig {...props()} />);

    await userEvent.type(screen.getByTestId(testIds.appConfig.opsproxyUrl), 'http://o:9980');
    await userEvent.type(screen.getByTestId(testIds.appConfig.serviceToken), 'emt_secret');
    await userEvent.click(screen.getByTestId(testIds.appConfig.submit));

    expect(await screen.findByTestId(testIds.appConfig.healthOk)).toHaveTextContent(
      'Connected to opsproxy at http://o:9980'
    );
    const save = calls.find((c) => c.url === '/api/plugins/etcdmonitor-etcd-app/settings');
    expect(save?.method).toBe('POST');
    expect(save?.data).toMatchObject({
      enabled: true,
      pinned: true,
      jsonData: { opsproxyUrl: 'http://o:9980', tlsSkipVerify: false },
      secureJsonData: { serviceToken: 'emt_secret' },
    });
    expect(JSON.stringify((save?.data as { jsonData: unknown }).jsonData)).not.toContain('emt_secret');
    expect(calls.map((c) => c.url)).toContain('/api/plugins/etcdmonitor-etcd-app/health');
    // The token field now says "configured" and no longer holds the secret.
    expect(screen.getByTestId(testIds.appConfig.serviceToken)).toHaveValue('configured');
  });

  test('keeps a configured token: saving does not send it again', async () => {
    const calls = backend({ status: 200, body: { status: 'OK', message: 'ok' } });
    render(
      <AppConfig {...props({ jsonData: { opsproxyUrl: 'http://o:9980' }, secureJsonFields: { serviceToken: true } })} />
    );
    await userEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await screen.findByTestId(testIds.appConfig.healthOk);
    const save = calls.find((c) => c.url.endsWith('/settings'));
    expect((save?.data as { secureJsonData: Record<string, string> }).secureJsonData).not.toHaveProperty(
      'serviceToken'
    );
  });

  test('test connection shows the health check failure that the backend gives', async () => {
    backend({
      status: 400,
      body: {
        status: 'ERROR',
        message: 'opsproxy at http://o:9980 refused the service token (unknown, revoked or expired)',
      },
    });
    render(
      <AppConfig {...props({ jsonData: { opsproxyUrl: 'http://o:9980' }, secureJsonFields: { serviceToken: true } })} />
    );

    await userEvent.click(screen.getByTestId(testIds.appConfig.testConnection));

    expect(await screen.findByTestId(testIds.appConfig.healthError)).toHaveTextContent(
      'refused the service token (unknown, revoked or expired)'
    );
    expect(screen.queryByTestId(testIds.appConfig.healthOk)).not.toBeInTheDocument();
  });

  test('a failed save is shown and no health check runs', async () => {
    const calls = backend({ status: 200, body: { status: 'OK', message: 'ok' } }, true);
    render(
      <AppConfig {...props({ jsonData: { opsproxyUrl: 'http://o:9980' }, secureJsonFields: { serviceToken: true } })} />
    );

    await userEvent.click(screen.getByTestId(testIds.appConfig.submit));

    expect(await screen.findByTestId(testIds.appConfig.saveError)).toHaveTextContent('database is locked');
    await waitFor(() => expect(screen.getByTestId(testIds.appConfig.submit)).toBeEnabled());
    expect(calls.map((c) => c.url)).not.toContain('/api/plugins/etcdmonitor-etcd-app/health');
  });
});
