import type { Transport } from './transport';

// Maintenance calls of opsproxy's API (opsproxy/openapi.yaml: compact, defragment, snapshots)
// and their types. All of them need the admin role.

// CompactTarget is what to compact to: a revision, or how many of the newest revisions to keep
// (opsproxy compacts to the current revision minus keep).
export type CompactTarget = { revision: number } | { keep: number };

export type CompactResult = { compacted_to: number; revision?: number };

// DefragStep is one member's turn in a defragmentation, followers first and the leader last.
export type DefragStep = {
  member: string;
  endpoint: string;
  leader?: boolean;
  db_size_before?: number;
  db_size_after?: number;
  done?: boolean;
};

export type SnapshotStatus = {
  revision: number;
  hash: number;
  total_keys: number;
  total_size: number;
  version?: string;
};

export type Snapshot = {
  name: string;
  size: number;
  sha256?: string;
  mod_time?: string;
  member?: string;
  cluster?: string;
  status?: SnapshotStatus;
};

// RestoreRequest is the body of a restore: data_dir is a plain name of a new directory under
// opsproxy's restore directory.
export type RestoreRequest = {
  data_dir: string;
  name: string;
  initial_advertise_peer_urls: string[];
  initial_cluster?: string;
  initial_cluster_token?: string;
  skip_hash_check?: boolean;
};

export type RestoreResult = {
  data_dir: string;
  name: string;
  initial_cluster: string;
  initial_cluster_token: string;
};

const c = encodeURIComponent;

export function maintenanceApi(t: Transport) {
  return {
    // currentRevision is the cluster's revision now, from the header of a count-only read.
    async currentRevision(cluster: string): Promise<number> {
      const r = await t.request<{ header?: { revision?: number } }>('GET', `/clusters/${c(cluster)}/keys`, {
        query: { key: 'health', count_only: 'true' },
      });
      return r.json?.header?.revision ?? 0;
    },
    async compact(cluster: string, target: CompactTarget, physical: boolean): Promise<CompactResult> {
      const r = await t.request<{ compacted_to?: number; header?: { revision?: number } }>(
        'POST',
        `/clusters/${c(cluster)}/compact`,
        { body: { ...target, physical } }
      );
      return { compacted_to: r.json?.compacted_to ?? 0, revision: r.json?.header?.revision };
    },
    // defragPlan is the dry run of a defragmentation: the members in the order they would go.
    async defragPlan(cluster: string): Promise<DefragStep[]> {
      const r = await t.request<{ steps?: DefragStep[] }>('POST', `/clusters/${c(cluster)}/defragment`, {
        body: { dry_run: true },
      });
      return r.json?.steps ?? [];
    },
    async listSnapshots(): Promise<Snapshot[]> {
      const r = await t.request<{ snapshots?: Snapshot[] }>('GET', '/snapshots');
      return r.json?.snapshots ?? [];
    },
    // snapshotStatus reads the file with etcd's snapshot code: revision, hash, keys, size.
    async snapshotStatus(name: string): Promise<Snapshot> {
      const r = await t.request<Snapshot>('GET', `/snapshots/${c(name)}`);
      return r.json ?? { name, size: 0 };
    },
    async restoreSnapshot(name: string, req: RestoreRequest): Promise<RestoreResult> {
      const r = await t.request<RestoreResult>('POST', `/snapshots/${c(name)}/restore`, { body: req });
      return r.json;
    },
  };
}
