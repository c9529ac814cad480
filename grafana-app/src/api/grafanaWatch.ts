import {
  isLiveChannelMessageEvent,
  isLiveChannelStatusEvent,
  LiveChannelConnectionState,
  LiveChannelScope,
} from '@grafana/data';
import { config, getGrafanaLiveSrv } from '@grafana/runtime';
import { PLUGIN_ID } from '../constants';
import { ApiError } from './transport';
import {
  deliverWatchMessage,
  MAX_CHANNEL_LENGTH,
  randomTabId,
  watchChannelData,
  watchChannelPath,
  type WatchHandlers,
  type WatchMessage,
  type WatchQuery,
} from './watch';

// grafanaWatch subscribes to the watch's Grafana Live channel, one per user and watch: the
// plugin backend checks the user when they subscribe and streams opsproxy's watch as them.
export function grafanaWatch(cluster: string, query: WatchQuery, h: WatchHandlers, signal: AbortSignal): void {
  const login = config.bootData?.user?.login ?? '';
  const path = watchChannelPath(login, randomTabId());
  if (`plugin/${PLUGIN_ID}/${path}`.length > MAX_CHANNEL_LENGTH) {
    h.onError(
      new ApiError(`your Grafana login is too long for a Grafana Live channel (${MAX_CHANNEL_LENGTH} characters)`, 0),
      false
    );
    return;
  }
  let ended = false;
  const end = () => {
    ended = true;
    sub.unsubscribe();
  };
  h.onState?.('connecting');
  const sub = getGrafanaLiveSrv()
    .getStream<WatchMessage>({
      scope: LiveChannelScope.Plugin,
      stream: PLUGIN_ID,
      path,
      data: watchChannelData(cluster, query),
    })
    .subscribe({
      next(ev) {
        if (ended) {
          return;
        }
        if (isLiveChannelMessageEvent(ev)) {
          if (!deliverWatchMessage(ev.message, h)) {
            queueMicrotask(end);
            ended = true;
          }
          return;
        }
        if (!isLiveChannelStatusEvent(ev)) {
          return;
        }
        const final =
          ev.state === LiveChannelConnectionState.Shutdown || ev.state === LiveChannelConnectionState.Invalid;
        if (ev.error) {
          h.onError(new ApiError(liveErrorText(ev.error), 0), !final);
        }
        if (final) {
          if (!ev.error) {
            h.onError(new ApiError('Grafana Live closed the watch channel', 0), false);
          }
          queueMicrotask(end);
          ended = true;
        } else if (ev.state === LiveChannelConnectionState.Disconnected) {
          h.onState?.('reconnecting');
        }
      },
      error(err) {
        if (!ended) {
          ended = true;
          h.onError(new ApiError(liveErrorText(err), 0), false);
        }
      },
    });
  signal.addEventListener('abort', end, { once: true });
}

function liveErrorText(err: unknown): string {
  if (err instanceof Error) {
    return err.message;
  }
  if (err && typeof err === 'object' && 'message' in err) {
    return String((err as { message: unknown }).message);
  }
  return String(err);
}
