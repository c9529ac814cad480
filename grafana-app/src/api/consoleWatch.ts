import { SseParser } from './sse';
import { ApiError, errorFromBody, queryString } from './transport';
import { deliverWatchMessage, type WatchHandlers, type WatchMessage, type WatchQuery } from './watch';

// Reconnection delays, doubling from the first to the last.
export const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30000;

// consoleWatch reads opsproxy's watch stream with fetch (EventSource cannot send the token in
// the Authorization header) until signal aborts. A dropped connection, a 429 or a 5xx is
// retried, resuming with Last-Event-ID after the last revision received; any other refusal,
// opsproxy's error event and a compacted start revision end the watch.
export async function consoleWatch(
  base: string,
  token: string,
  fetchFn: typeof fetch,
  cluster: string,
  query: WatchQuery,
  h: WatchHandlers,
  signal: AbortSignal,
  firstRetryMs = FIRST_RETRY_MS
): Promise<void> {
  const url = `${base}/clusters/${encodeURIComponent(cluster)}/watch${queryString({
    key: query.key,
    prefix: query.prefix ? 'true' : undefined,
    start_revision: query.start_revision || undefined,
    prev_kv: query.prev_kv ? 'true' : undefined,
  })}`;
  let lastId: string | undefined;
  let delay = firstRetryMs;
  h.onState?.('connecting');
  while (!signal.aborted) {
    const resumeFrom = lastId;
    const retry = await once();
    if (!retry || signal.aborted) {
      return;
    }
    if (lastId !== resumeFrom) {
      delay = firstRetryMs;
    }
    h.onState?.('reconnecting');
    await sleep(delay, signal);
    delay = Math.min(2 * delay, LAST_RETRY_MS);
  }

  // once reads one connection; it answers whether to reconnect.
  async function once(): Promise<boolean> {
    const headers: Record<string, string> = { Accept: 'text/event-stream', Authorization: `Bearer ${token}` };
    if (lastId) {
      headers['Last-Event-ID'] = lastId;
    }
    let resp: globalThis.Response;
    try {
      resp = await fetchFn(url, { headers, signal });
    } catch (err) {
      if (signal.aborted) {
        return false;
      }
      h.onError(new ApiError(`opsproxy did not answer: ${err instanceof Error ? err.message : String(err)}`, 0), true);
      return true;
    }
    if (!resp.ok) {
      let json: unknown;
      try {
        json = JSON.parse(await resp.text());
      } catch {
        json = undefined;
      }
      const retrying = resp.status === 429 || resp.status >= 500;
      h.onError(errorFromBody(resp.status, json, resp.statusText), retrying);
      return retrying;
    }
    if (!resp.body) {
      h.onError(new ApiError('the watch answer has no body to stream', resp.status), false);
      return false;
    }
    h.onState?.('open');
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        for (const ev of parser.push(decoder.decode(value, { stream: true }))) {
          const m: WatchMessage = { event: ev.event, id: ev.id ? Number(ev.id) : undefined };
          try {
            m.data = JSON.parse(ev.data);
          } catch {
            m.data = undefined;
          }
          if (!deliverWatchMessage(m, h)) {
            return false;
          }
          if (ev.id) {
            lastId = ev.id;
          }
        }
      }
    } catch (err) {
      if (signal.aborted) {
        return false;
      }
      h.onError(new ApiError(`the watch stream broke: ${err instanceof Error ? err.message : String(err)}`, 0), true);
      return true;
    }
    if (signal.aborted) {
      return false;
    }
    h.onError(new ApiError('opsproxy ended the watch stream', 0), true);
    return true;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
