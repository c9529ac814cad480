// The signed-in token lives only in this tab's sessionStorage: it is gone when the tab closes,
// other tabs do not see it, and it is never put in a URL or in localStorage.

export const TOKEN_KEY = 'etcdmonitor.console.token';

export function readToken(storage: Storage = window.sessionStorage): string | undefined {
  return storage.getItem(TOKEN_KEY) || undefined;
}

export function saveToken(token: string, storage: Storage = window.sessionStorage): void {
  storage.setItem(TOKEN_KEY, token);
}

export function clearToken(storage: Storage = window.sessionStorage): void {
  storage.removeItem(TOKEN_KEY);
}
