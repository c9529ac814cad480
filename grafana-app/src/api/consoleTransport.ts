import { consoleStream } from './consoleStream';
import { consoleWatch, FIRST_RETRY_MS } from './consoleWatch';
import { ApiError, errorFromBody, queryString, type Transport } from './transport';

// consoleTransport calls opsproxy directly (the standalone console) with the signed-in token in
// the Authorization header; the token never goes in a URL, so href offers no links. Watches read
// opsproxy's event stream over fetch (consoleWatch); firstRetryMs is their first reconnection delay.
// Other event streams (a job's) are read once over fetch (consoleStream). Files (a backup) are
// downloaded over fetch into a Blob.
export function consoleTransport(
  baseUrl: string,
  token: string,
  fetchFn: typeof fetch = fetch,
  firstRetryMs = FIRST_RETRY_MS
): Transport {
  const base = `${baseUrl.replace(/\/+$/, '')}/api/v1`;
  return {
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
      headers.Authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(opts.body);
      }
      let resp: globalThis.Response;
      try {
        resp = await fetchFn(`${base}${path}${queryString(opts.query)}`, { method, headers, body });
      } catch (err) {
        throw new ApiError(`opsproxy did not answer: ${err instanceof Error ? err.message : String(err)}`, 0);
      }
      const text = await resp.text();
      let json: unknown = undefined;
      if (text) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      if (!resp.ok) {
        throw errorFromBody(resp.status, json, resp.statusText);
      }
      return { status: resp.status, json: json as never };
    },
    href() {
      return undefined;
    },
    async download(path, query) {
      let resp: globalThis.Response;
      try {
        resp = await fetchFn(`${base}${path}${queryString(query)}`, {
          method: 'GET',
          headers: { Accept: 'application/octet-stream, application/json', Authorization: `Bearer ${token}` },
        });
      } catch (err) {
        throw new ApiError(`opsproxy did not answer: ${err instanceof Error ? err.message : String(err)}`, 0);
      }
      if (!resp.ok) {
        const text = await resp.text();
        let json: unknown = undefined;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        throw errorFromBody(resp.status, json, resp.statusText);
      }
      return resp.blob();
    },
    watch(cluster, query, handlers, signal) {
      void consoleWatch(base, token, fetchFn, cluster, query, handlers, signal, firstRetryMs);
    },
    stream(path, handlers, signal) {
      void consoleStream(`${base}${path}`, token, fetchFn, handlers, signal);
    },
  };
}
