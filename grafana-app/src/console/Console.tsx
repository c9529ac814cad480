import React, { useCallback, useState } from 'react';
import type { Transport } from '../api';
import { clearToken, readToken, saveToken } from './session';
import { SignedIn } from './SignedIn';
import { SignIn } from './SignIn';

// Console is the standalone console: the sign-in screen until there is a token, then the pages
// over transportFor(token). Signing out forgets the token.
export function Console({
  transportFor,
  storage = window.sessionStorage,
}: {
  transportFor: (token: string) => Transport;
  storage?: Storage;
}) {
  const [token, setToken] = useState(() => readToken(storage));
  const [notice, setNotice] = useState<string>();

  const signIn = useCallback(
    (t: string) => {
      saveToken(t, storage);
      setNotice(undefined);
      setToken(t);
    },
    [storage]
  );
  const signOut = useCallback(() => {
    clearToken(storage);
    setNotice('Signed out: the token is forgotten in this tab.');
    setToken(undefined);
  }, [storage]);

  if (!token) {
    return <SignIn onSignIn={signIn} notice={notice} />;
  }
  return <SignedIn key={token} token={token} transportFor={transportFor} onSignOut={signOut} />;
}
