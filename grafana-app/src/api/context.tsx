import React, { createContext, useContext, useMemo, type ReactNode } from 'react';
import { createApi, type Api } from './client';
import type { Transport } from './transport';

const ApiContext = createContext<Api | undefined>(undefined);

// ApiProvider gives the pages below it the API client over transport.
export function ApiProvider({ transport, children }: { transport: Transport; children: ReactNode }) {
  const api = useMemo(() => createApi(transport), [transport]);
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) {
    throw new Error('useApi: no ApiProvider above this component');
  }
  return api;
}
