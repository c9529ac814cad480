import { useEffect, useState } from 'react';
import { useApi, type Cluster } from '../api';

// ClusterList is the cluster list as a page holds it: current is the answer to the latest attempt
// (undefined while it loads), clusters the last list that came (kept while a retry loads).
export type ClusterList<F> = {
  current?: { clusters: Cluster[]; error?: F };
  clusters: Cluster[];
  retry: () => void;
};

// useClusterList loads the clusters a page may show. When no cluster is selected and the list
// holds one, selectFirst is called with the first, so the page can put it in the URL; a failure
// is kept as toFailure words it. selectFirst should be stable (useCallback): the list is loaded
// again when it, or the selection, changes.
export function useClusterList<F>(
  selected: string,
  selectFirst: (cluster: string) => void,
  toFailure: (err: unknown) => F
): ClusterList<F> {
  const api = useApi();
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<{ attempt: number; clusters: Cluster[]; error?: F } | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    api.listClusters().then(
      (clusters) => {
        if (cancelled) {
          return;
        }
        if (!selected && clusters.length > 0) {
          // No cluster in the link: show the first, and say so in the URL.
          selectFirst(clusters[0].name);
        }
        setLoaded({ attempt, clusters });
      },
      (err) => {
        if (!cancelled) {
          setLoaded({ attempt, clusters: [], error: toFailure(err) });
        }
      }
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt, selected, selectFirst, toFailure]);

  return {
    current: loaded?.attempt === attempt ? loaded : undefined,
    clusters: loaded?.clusters ?? [],
    retry: () => setAttempt((n) => n + 1),
  };
}
