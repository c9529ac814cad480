import React from 'react';
import type { Cluster } from '../api';

// ClusterOptions are the options of a cluster <select>. The selected cluster stays an option even
// when the list does not hold it (a link to a cluster the token may no longer use), so the page
// can say what went wrong with it.
export function ClusterOptions({ clusters, selected }: { clusters: Cluster[]; selected: string }) {
  return (
    <>
      {!clusters.some((c) => c.name === selected) && <option value={selected}>{selected || '—'}</option>}
      {clusters.map((c) => (
        <option key={c.name} value={c.name}>
          {c.name}
        </option>
      ))}
    </>
  );
}
