import { ApiError, type Transport } from '../api';

// onRefusedToken passes every call and watch through to transport and tells onRefused when opsproxy
// answers 401: the token was revoked or expired while signed in. The console then shows that
// instead of each page's own error.
export function onRefusedToken(transport: Transport, onRefused: (err: ApiError) => void): Transport {
  const download = transport.download?.bind(transport);
  return {
    async request(method, path, opts) {
      try {
        return await transport.request(method, path, opts);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          onRefused(err);
        }
        throw err;
      }
    },
    href: (path, query) => transport.href(path, query),
    download: download
      ? async (path, query) => {
          try {
            return await download(path, query);
          } catch (err) {
            if (err instanceof ApiError && err.status === 401) {
              onRefused(err);
            }
            throw err;
          }
        }
      : undefined,
    watch(cluster, query, handlers, signal) {
      const onError = (err: ApiError, retrying: boolean) => {
        if (err.status === 401) {
          onRefused(err);
        }
        handlers.onError(err, retrying);
      };
      transport.watch(cluster, query, { ...handlers, onError }, signal);
    },
  };
}
