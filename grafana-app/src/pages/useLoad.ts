import { useEffect, useState } from 'react';
import { failure, type Failure } from './failure';

// Load is something a page reads, as it shows it: current is the answer to what it reads now
// (undefined while that loads), retry reads it again.
export type Load<T> = {
  current?: { value?: T; error?: Failure };
  retry: () => void;
};

// useLoad reads what load answers. load should be stable (useCallback) and change with what it
// reads: a new load, or a retry, shows loading until its answer comes. A change of reload (a
// job of the page ended) reads it again but keeps the answer as last read until the new one
// comes, so a list does not blink. With load undefined (what it needs is not chosen yet)
// nothing is read.
export function useLoad<T>(load: (() => Promise<T>) | undefined, reload = 0): Load<T> {
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<{ load: () => Promise<T>; attempt: number; value?: T; error?: Failure }>();

  useEffect(() => {
    if (!load) {
      return;
    }
    let cancelled = false;
    load().then(
      (value) => !cancelled && setLoaded({ load, attempt, value }),
      (e) => !cancelled && setLoaded({ load, attempt, error: failure(e) })
    );
    return () => {
      cancelled = true;
    };
  }, [load, attempt, reload]);

  return {
    current: loaded && loaded.load === load && loaded.attempt === attempt ? loaded : undefined,
    retry: () => setAttempt((n) => n + 1),
  };
}
