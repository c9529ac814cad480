import type { SnapshotStatus } from './maintenance';
import { ApiError, type Transport } from './transport';

// Backups of opsproxy's API (opsproxy/openapi.yaml: /clusters/{cluster}/backup-locations,
// /clusters/{cluster}/backups, /clusters/{cluster}/backup-events; docs/backups.md). Every call
// needs the admin role for the cluster: backups hold every secret the cluster holds. Backups,
// verifications, drills, inspections and restores are jobs (kinds below) started through
// POST /jobs.

// BACKUP_JOB_KINDS are the job kinds of backups, each started from the Backups page.
export const BACKUP_JOB_KINDS = [
  'backup',
  'backup-verify',
  'backup-drill',
  'backup-inspect',
  'backup-restore',
] as const;
export type BackupJobKind = (typeof BACKUP_JOB_KINDS)[number];

// BackupRetention is a location's retention for the cluster: keep count backups and none older
// than max_age_seconds; the newest verified backup is kept whatever it says.
export type BackupRetention = { count?: number; max_age_seconds?: number };

// BackupLocation is a configured location as the cluster uses it: where (a directory or an S3
// bucket and prefix; never a key, secret or credential path), whether backups in it are
// encrypted, whether another tool fills it (external: we only watch it), and its schedules.
export type BackupLocation = {
  name: string;
  kind: 'dir' | 's3';
  where: string;
  encrypted: boolean;
  external: boolean;
  schedule?: string;
  max_age_seconds?: number;
  retention?: BackupRetention | null;
  drill_schedule?: string;
  inspect_schedule?: string;
};

// BackupCheck is the latest verification or drill of a backup.
export type BackupCheck = { ok: boolean; at: string; error?: string };

// BackupSummary is one backup object of a location, joined with what the store recorded of it.
export type BackupSummary = {
  location: string;
  name: string;
  // size is of the stored object, snapshot_size of the plaintext snapshot (they differ when
  // the backup is encrypted).
  size: number;
  snapshot_size?: number;
  created_at: string;
  encrypted: boolean;
  external: boolean;
  revision?: number;
  key_count?: number;
  verified: BackupCheck | null;
  drill: BackupCheck | null;
  // job_id is the job that made the backup (none for an external location's).
  job_id?: string;
};

// BackupRestoreTarget is what a member restored from the backup must show.
export type BackupRestoreTarget = { revision: number; hash_kv: number; compact_revision: number; key_count: number };

// BackupRecord is the engine's record of a backup it made (backup.Record).
export type BackupRecord = {
  cluster: string;
  location: string;
  name: string;
  member: string;
  started_at: string;
  finished_at: string;
  snapshot_size: number;
  sha256: string;
  size: number;
  stored_sha256: string;
  encrypted: boolean;
  status: SnapshotStatus;
  restore: BackupRestoreTarget;
  verification?: { ok: boolean; verified_at?: string; error?: string; checksum?: boolean };
  save_seconds?: number;
  verify_seconds?: number;
  attempts?: Array<{ member: string; error: string }>;
};

export type BackupEventKind = 'backup' | 'verify' | 'drill' | 'inspect' | 'retention' | 'restore';

// BackupEvent is one backup, verification, drill, inspection, retention or restore as the store
// keeps it; record is the engine's record of it (its shape depends on kind).
export type BackupEvent = {
  id: string;
  cluster: string;
  location: string;
  kind: BackupEventKind;
  name?: string;
  job_id?: string;
  started_at: string;
  finished_at: string;
  ok: boolean;
  error?: string;
  size?: number;
  record?: unknown;
};

export type BackupDetail = BackupSummary & { record: BackupRecord | null; events: BackupEvent[] };

export type BackupFilter = { location?: string; limit?: number };

export type BackupEventFilter = { location?: string; kind?: BackupEventKind; limit?: number };

// BackupRestore is what a backup-restore job takes besides the location and the backup: a new
// data directory (a plain name under opsproxy's restore directory, never an existing one) for
// one new member, and, for clusters that serve Kubernetes, etcdutl's --bump-revision and
// --mark-compacted.
export type BackupRestore = {
  data_dir: string;
  member_name: string;
  initial_cluster: string;
  initial_cluster_token?: string;
  initial_advertise_peer_urls: string[];
  bump_revision?: number;
  mark_compacted?: boolean;
};

// BackupProgress is a backup job's progress: the phase under way and the bytes saved so far.
export type BackupProgress = { phase?: 'saving' | 'verifying' | 'retention' | string; bytes?: number };

const c = encodeURIComponent;

function backupPath(cluster: string, location: string, name: string): string {
  return `/clusters/${c(cluster)}/backups/${c(location)}/${c(name)}`;
}

export function backupsApi(t: Transport) {
  return {
    async listBackupLocations(cluster: string): Promise<BackupLocation[]> {
      const r = await t.request<{ locations?: BackupLocation[] }>('GET', `/clusters/${c(cluster)}/backup-locations`);
      return r.json?.locations ?? [];
    },
    // listBackups answers the backups of the cluster (of one location when filter names it),
    // newest first.
    async listBackups(cluster: string, filter: BackupFilter = {}): Promise<BackupSummary[]> {
      const r = await t.request<{ backups?: BackupSummary[] }>('GET', `/clusters/${c(cluster)}/backups`, {
        query: { location: filter.location || undefined, limit: filter.limit },
      });
      return r.json?.backups ?? [];
    },
    async getBackup(cluster: string, location: string, name: string): Promise<BackupDetail> {
      const r = await t.request<BackupDetail>('GET', backupPath(cluster, location, name));
      return { ...r.json, events: r.json?.events ?? [], record: r.json?.record ?? null };
    },
    async listBackupEvents(cluster: string, filter: BackupEventFilter = {}): Promise<BackupEvent[]> {
      const r = await t.request<{ events?: BackupEvent[] }>('GET', `/clusters/${c(cluster)}/backup-events`, {
        query: { location: filter.location || undefined, kind: filter.kind || undefined, limit: filter.limit },
      });
      return r.json?.events ?? [];
    },
    // backupDownloadHref is a link to the backup's etcd snapshot (decrypted) when the transport
    // allows links (Grafana's); the console's token never goes in a URL, it downloads instead.
    backupDownloadHref(cluster: string, location: string, name: string): string | undefined {
      return t.href(`${backupPath(cluster, location, name)}/download`);
    },
    // downloadBackup reads the backup's etcd snapshot (decrypted) into the browser, for a
    // transport that offers no links.
    async downloadBackup(cluster: string, location: string, name: string): Promise<Blob> {
      if (!t.download) {
        throw new ApiError('this transport cannot download files', 0);
      }
      return t.download(`${backupPath(cluster, location, name)}/download`);
    },
  };
}
