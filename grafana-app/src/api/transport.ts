// A Transport carries the API client's calls to opsproxy's /api/v1. Grafana supplies one over
// getBackendSrv to the plugin's resources (grafanaTransport), the standalone console one over
// fetch with the token (consoleTransport); tests supply their own.

import type { SseEvent } from './sse';
import type { WatchHandlers, WatchQuery } from './watch';

export type Query = Record<string, string | number | undefined>;

export type RequestOptions = {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
};

export type Response<T = unknown> = { status: number; json: T };

export interface Transport {
  // request calls path (under /api/v1, e.g. "/clusters") and answers the decoded JSON of a 2xx
  // answer; any other answer is thrown as an ApiError.
  request<T = unknown>(method: string, path: string, opts?: RequestOptions): Promise<Response<T>>;
  // href is a URL the browser may open itself (a download link), or undefined when the
  // transport's credentials cannot go in a link (the console's token is never put in a URL).
  href(path: string, query?: Query): string | undefined;
  // watch streams the changes of a key or prefix of cluster to handlers until signal aborts,
  // reconnecting after the last revision received when the connection drops.
  watch(cluster: string, query: WatchQuery, handlers: WatchHandlers, signal: AbortSignal): void;
  // stream reads the Server-Sent Events of path (a job's events) once, without reconnecting,
  // until the stream ends, onEvent answers false or signal aborts. A transport without it has
  // no reliable stream: its callers poll instead (Grafana's resource calls).
  stream?(path: string, handlers: StreamHandlers, signal: AbortSignal): void;
  // download reads a file (a backup's snapshot) into the browser, for a transport that offers no
  // links; a non-2xx answer is thrown as an ApiError.
  download?(path: string, query?: Query): Promise<Blob>;
}

export type StreamHandlers = {
  // onEvent answers false to stop reading.
  onEvent(ev: SseEvent): boolean;
  // onError: the stream was refused or broke; it is over.
  onError(err: ApiError): void;
  // onEnd: the server ended the stream.
  onEnd(): void;
};

// ApiError is opsproxy's error answer {error, request_id} with its status; status 0 means the
// request got no answer at all. exitCode is etcdctl's exit code for the outcome, which the
// console API's errors carry (exit_code).
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly requestId?: string,
    readonly exitCode?: number
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function queryString(query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== '') {
      params.set(k, String(v));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

// errorFromBody makes the ApiError of a non-2xx answer: opsproxy's {error, request_id}, or
// Grafana's {message} when the plugin backend or Grafana itself refused.
export function errorFromBody(status: number, body: unknown, statusText?: string): ApiError {
  const b = (body && typeof body === 'object' ? body : {}) as {
    error?: string;
    message?: string;
    request_id?: string;
    exit_code?: unknown;
  };
  const message = b.error || b.message || statusText || `HTTP ${status}`;
  return new ApiError(message, status, b.request_id, typeof b.exit_code === 'number' ? b.exit_code : undefined);
}
