import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';
import { failure, type Failure } from './failure';
import { useClusterList, type ClusterList } from './useClusterList';

// ClusterPageState is a cluster page's state as its URL holds it: ?cluster= and the page's own
// parameters (what is selected, what is open), with the list of clusters to pick from.
export type ClusterPageState = {
  cluster: string;
  list: ClusterList<Failure>;
  // param is the URL's parameter name, '' when it has none.
  param: (name: string) => string;
  // selectCluster shows another cluster: the URL becomes ?cluster=<it> alone, since what was
  // selected or open was the other cluster's. It shows the first when the link names none.
  selectCluster: (cluster: string) => void;
  // set changes the URL's parameters, keeping the others; an empty value removes one.
  set: (changes: Record<string, string>) => void;
};

// useClusterPage reads a cluster page's state from the URL and loads the clusters it may show.
export function useClusterPage(): ClusterPageState {
  const [params, setParams] = useSearchParams();
  const cluster = params.get('cluster') ?? '';
  const selectCluster = useCallback((c: string) => setParams(new URLSearchParams({ cluster: c })), [setParams]);
  const list = useClusterList(cluster, selectCluster, failure);
  const set = (changes: Record<string, string>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) {
        p.set(k, v);
      } else {
        p.delete(k);
      }
    }
    setParams(p);
  };
  return { cluster, list, param: (name) => params.get(name) ?? '', selectCluster, set };
}
