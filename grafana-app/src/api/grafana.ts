import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';
import type { PluginMeta } from '@grafana/data';
import type { AppSettings, SecureSettingKey } from '../types';

// Calls to Grafana's own plugin API (settings and health check), used by the configuration
// page only; the app's pages reach opsproxy through the backend's resources.

export type HealthResult = { ok: boolean; message: string };

export type SettingsUpdate = Partial<PluginMeta<AppSettings>> & {
  secureJsonData?: Partial<Record<SecureSettingKey, string>>;
};

export async function saveSettings(pluginId: string, data: SettingsUpdate): Promise<void> {
  await lastValueFrom(
    getBackendSrv().fetch({
      url: `/api/plugins/${pluginId}/settings`,
      method: 'POST',
      data,
      showErrorAlert: false,
    })
  );
}

// checkHealth asks Grafana to run the backend's CheckHealth. Grafana answers a failed check
// with an error status and the same body, so both ways end in a HealthResult.
export async function checkHealth(pluginId: string): Promise<HealthResult> {
  try {
    const resp = await lastValueFrom(
      getBackendSrv().fetch<{ status?: string; message?: string }>({
        url: `/api/plugins/${pluginId}/health`,
        method: 'GET',
        showErrorAlert: false,
      })
    );
    return { ok: resp.data?.status === 'OK', message: resp.data?.message ?? 'no message' };
  } catch (err) {
    return { ok: false, message: errorMessage(err) };
  }
}

export function errorMessage(err: unknown): string {
  if (isFetchError(err)) {
    const data = err.data as { message?: string; error?: string } | undefined;
    return data?.message || data?.error || err.statusText || `HTTP ${err.status}`;
  }
  if (err instanceof Error) {
    return err.message;
  }
  return String(err);
}
