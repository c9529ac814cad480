import { consoleApi } from './console';
import { backupsApi } from './backups';
import { benchmarksApi } from './benchmarks';
import { diskTestsApi } from './disktests';
import { jobsApi } from './jobs';
import { maintenanceApi } from './maintenance';
import { keysApi } from './keys';
import { tokensApi } from './tokens';
import type { Query, Transport } from './transport';
import type {
  Alarm,
  AuditFilter,
  AuditPage,
  AuditVerification,
  Cluster,
  Endpoints,
  Member,
  MemberChange,
} from './types';
import { whoamiApi } from './whoami';
import { watchApi } from './watch';

export const AUDIT_PAGE_SIZE = 100;

// The API client of the pages: typed calls to opsproxy's /api/v1 over whichever transport the
// host (Grafana or the standalone console) supplies.
export type Api = ReturnType<typeof createApi>;

function auditQuery(filter: AuditFilter): Query {
  return {
    from: filter.from,
    to: filter.to,
    user: filter.user,
    cluster: filter.cluster,
    operation: filter.operation,
    outcome: filter.outcome,
    request_id: filter.request_id,
  };
}

const c = encodeURIComponent;

export function createApi(t: Transport) {
  return {
    ...maintenanceApi(t),
    ...keysApi(t),
    ...whoamiApi(t),
    ...watchApi(t),
    ...tokensApi(t),
    ...jobsApi(t),
    ...consoleApi(t),
    ...benchmarksApi(t),
    ...diskTestsApi(t),
    ...backupsApi(t),
    async listClusters(): Promise<Cluster[]> {
      const r = await t.request<{ clusters?: Cluster[] }>('GET', '/clusters');
      return r.json?.clusters ?? [];
    },
    async clusterEndpoints(cluster: string): Promise<Endpoints> {
      const r = await t.request<Partial<Endpoints>>('GET', `/clusters/${c(cluster)}/endpoints`);
      return { healthy: r.json?.healthy ?? 0, total: r.json?.total ?? 0, endpoints: r.json?.endpoints ?? [] };
    },
    async listMembers(cluster: string): Promise<Member[]> {
      const r = await t.request<{ members?: Member[] }>('GET', `/clusters/${c(cluster)}/members`);
      return r.json?.members ?? [];
    },
    async listAlarms(cluster: string): Promise<Alarm[]> {
      const r = await t.request<{ alarms?: Alarm[] }>('GET', `/clusters/${c(cluster)}/alarms`);
      return r.json?.alarms ?? [];
    },
    // addLearner adds a member as a learner (admin); etcd answers the new member and the list.
    async addLearner(cluster: string, peerURLs: string[]): Promise<MemberChange> {
      const r = await t.request<MemberChange>('POST', `/clusters/${c(cluster)}/members`, {
        body: { peer_urls: peerURLs },
      });
      return r.json ?? {};
    },
    // promoteMember makes a learner a voting member (admin); opsproxy answers 409 until it has caught up.
    async promoteMember(cluster: string, id: string): Promise<MemberChange> {
      const r = await t.request<MemberChange>('POST', `/clusters/${c(cluster)}/members/${c(id)}/promote`);
      return r.json ?? {};
    },
    async removeMember(cluster: string, id: string): Promise<MemberChange> {
      const r = await t.request<MemberChange>('DELETE', `/clusters/${c(cluster)}/members/${c(id)}`);
      return r.json ?? {};
    },
    // disarmAlarms disarms every alarm, or only one member's and/or one kind (admin).
    async disarmAlarms(cluster: string, which: { member_id?: string; alarm?: string } = {}): Promise<Alarm[]> {
      const r = await t.request<{ disarmed?: Alarm[] }>('DELETE', `/clusters/${c(cluster)}/alarms`, {
        query: { member_id: which.member_id, alarm: which.alarm },
      });
      return r.json?.disarmed ?? [];
    },
    // queryAudit answers one page, newest first; pass the page's next as cursor for older records.
    async queryAudit(filter: AuditFilter, cursor?: number, limit = AUDIT_PAGE_SIZE): Promise<AuditPage> {
      const r = await t.request<Partial<AuditPage>>('GET', '/audit', {
        query: { ...auditQuery(filter), order: 'desc', limit, cursor: cursor || undefined },
      });
      return { records: r.json?.records ?? [], next: r.json?.next || undefined };
    },
    // auditCsvHref is a link to every record matching filter as CSV, when the transport allows links.
    auditCsvHref(filter: AuditFilter): string | undefined {
      return t.href('/audit', { ...auditQuery(filter), format: 'csv' });
    },
    async verifyAudit(): Promise<AuditVerification> {
      const r = await t.request<AuditVerification>('GET', '/audit/verify');
      return r.json ?? { ok: false };
    },
  };
}
