import { SseParser } from './sse';
import { ApiError, errorFromBody, type StreamHandlers } from './transport';

// consoleStream reads one Server-Sent Events answer of opsproxy with fetch (EventSource cannot
// send the token in the Authorization header) and hands each event to h until the stream ends,
// h.onEvent answers false or signal aborts. It does not reconnect: its caller decides.
export async function consoleStream(
  url: string,
  token: string,
  fetchFn: typeof fetch,
  h: StreamHandlers,
  signal: AbortSignal
): Promise<void> {
  let resp: globalThis.Response;
  try {
    resp = await fetchFn(url, {
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` },
      signal,
    });
  } catch (err) {
    if (!signal.aborted) {
      h.onError(new ApiError(`opsproxy did not answer: ${err instanceof Error ? err.message : String(err)}`, 0));
    }
    return;
  }
  if (!resp.ok) {
    let json: unknown;
    try {
      json = JSON.parse(await resp.text());
    } catch {
      json = undefined;
    }
    h.onError(errorFromBody(resp.status, json, resp.statusText));
    return;
  }
  if (!resp.body) {
    h.onError(new ApiError('the answer has no body to stream', resp.status));
    return;
  }
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
        if (!h.onEvent(ev)) {
          await reader.cancel().catch(() => undefined);
          return;
        }
      }
    }
  } catch (err) {
    if (!signal.aborted) {
      h.onError(new ApiError(`the event stream broke: ${err instanceof Error ? err.message : String(err)}`, 0));
    }
    return;
  }
  if (!signal.aborted) {
    h.onEnd();
  }
}
