import { useEffect, useState } from 'react';
import { useApi, type Whoami } from '../../api';

// useWhoami answers who opsproxy runs the page's commands as, once it said; undefined until
// then, or when it could not say (the commands' own answers then show any refusal).
export function useWhoami(): Whoami | undefined {
  const api = useApi();
  const [who, setWho] = useState<Whoami | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    api.whoami().then(
      (w) => !cancelled && setWho(w),
      () => undefined
    );
    return () => {
      cancelled = true;
    };
  }, [api]);
  return who;
}
