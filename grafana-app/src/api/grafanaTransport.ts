import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { PLUGIN_ID } from '../constants';
import { grafanaWatch } from './grafanaWatch';
import { ApiError, errorFromBody, queryString, type Transport } from './transport';

// The plugin's resources, which the Go backend forwards to opsproxy's /api/v1 as the signed-in user.
export const RESOURCES_BASE = `/api/plugins/${PLUGIN_ID}/resources/api/v1`;

export function grafanaTransport(base = RESOURCES_BASE): Transport {
  return {
    async request(method, path, opts = {}) {
      try {
        const resp = await lastValueFrom(
          getBackendSrv().fetch<never>({
            url: `${base}${path}${queryString(opts.query)}`,
            method,
            data: opts.body,
            headers: opts.headers,
            showErrorAlert: false,
            showSuccessAlert: false,
          })
        );
        return { status: resp.status, json: resp.data };
      } catch (err) {
        if (isFetchError(err)) {
          throw errorFromBody(err.status, err.data, err.statusText);
        }
        throw new ApiError(err instanceof Error ? err.message : String(err), 0);
      }
    },
    href(path, query) {
      return `${base}${path}${queryString(query)}`;
    },
    watch: grafanaWatch,
  };
}
