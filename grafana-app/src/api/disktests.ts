import type { Transport } from './transport';

// Disk tests of opsproxy's API (opsproxy/openapi.yaml: /disktests, /clusters/{cluster}/disk-agents,
// /clusters/{cluster}/disk-baselines; docs/diskprobe.md). A test is a job of kind "disktest"
// (admin) that asks the diskprobe agent on a member's host to probe its disk; reading results
// needs the viewer role, setting a member's baseline admin.

// DISK_ENGINES are what performs a probe's writes: Go as etcd's WAL writes, or the installed fio.
export const DISK_ENGINES = ['native', 'fio'] as const;
export type DiskEngine = (typeof DISK_ENGINES)[number];

// DISK_PROFILES are the jobs a probe writes: etcd's documented fio check (22 MiB of 2,300-byte
// writes), OpenShift's etcd-perf (60 s of 8,000-byte writes) and the agent's small probe (2 MiB).
export const DISK_PROFILES = ['etcd', 'openshift', 'agent'] as const;
export type DiskProfile = (typeof DISK_PROFILES)[number];

// DEFAULT_THRESHOLD is etcd's production line: the p99 of fdatasync under 10 ms, in seconds.
export const DEFAULT_THRESHOLD = 0.01;

// DiskAgent is a member's diskprobe agent as configured (disk_agents of the cluster); auth says
// how opsproxy authenticates to it, never with what.
export type DiskAgent = { member: string; url: string; auth: 'basic' | 'mtls' | 'none' };

export type DiskTestSummary = {
  id: string;
  cluster: string;
  member: string;
  job: string;
  engine: DiskEngine;
  profile: string;
  started_at: string;
  finished_at: string;
  verdict: 'pass' | 'warn' | 'fail';
  partial?: boolean;
  // Latencies in seconds.
  p50: number;
  p99: number;
  max: number;
  iops: number;
  threshold: number;
  filesystem: string;
};

// DiskLatency summarises a latency histogram (seconds); histogram is the HDR histogram in its
// compressed V2 form, base64 (empty for fio, which reports percentiles only).
export type DiskLatency = {
  count: number;
  min: number;
  mean: number;
  stddev: number;
  max: number;
  percentiles?: Record<string, number>;
  histogram?: string;
};

// DiskResult is a probe's full report (diskprobe.Result).
export type DiskResult = {
  engine: DiskEngine;
  job: { profile: string; block_size: number; size: number; duration_ns?: number; preallocate: number };
  dir: string;
  host: string;
  filesystem: { type: string; device: string; mount_point: string; free_bytes: number };
  started_at: string;
  finished_at: string;
  partial?: boolean;
  reason?: string;
  syncs: number;
  bytes: number;
  elapsed_ns: number;
  iops: number;
  sync: DiskLatency;
  write?: DiskLatency;
  threshold: number;
  verdict: string;
  verdict_reason: string;
  warnings?: string[];
  member?: { url: string; fsyncs: number; p99: number; error?: string };
  runner?: { cpu_seconds: number; max_rss_bytes: number };
};

export type DiskTest = DiskTestSummary & { result: DiskResult };

export type DiskComparison = {
  run: DiskTestSummary;
  reference: DiskTestSummary;
  p50_ratio: number;
  p99_ratio: number;
  verdict: 'slower' | 'faster' | 'unchanged';
};

export type DiskBaseline = { cluster: string; member: string; set_by: string; set_at: string; run: DiskTestSummary };

// DiskTestParameters are a disktest job's parameters; member empty probes every member with an
// agent, one after another. Zero sizes and an empty duration take the profile's.
export type DiskTestParameters = {
  member: string;
  engine: DiskEngine;
  profile: DiskProfile;
  block_size: number;
  size: number;
  duration: string;
  threshold: number;
};

// DiskTestMemberResult is one member's stored result in a disktest job's progress and result.
export type DiskTestMemberResult = { member: string; result: string; verdict?: 'pass' | 'warn' | 'fail' };

// DiskTestProgress is a disktest job's progress: the member being probed, how many of the job's
// members are done, and the results stored so far.
export type DiskTestProgress = { member?: string; done?: number; total?: number; results?: DiskTestMemberResult[] };

export type DiskTestFilter = { cluster: string; member?: string; engine?: DiskEngine; limit?: number };

const c = encodeURIComponent;

export function diskTestsApi(t: Transport) {
  return {
    async listDiskAgents(cluster: string): Promise<DiskAgent[]> {
      const r = await t.request<{ agents?: DiskAgent[] }>('GET', `/clusters/${c(cluster)}/disk-agents`);
      return r.json?.agents ?? [];
    },
    // listDiskTests answers the cluster's results, newest first.
    async listDiskTests(filter: DiskTestFilter): Promise<DiskTestSummary[]> {
      const r = await t.request<{ disktests?: DiskTestSummary[] }>('GET', '/disktests', {
        query: {
          cluster: filter.cluster,
          member: filter.member || undefined,
          engine: filter.engine || undefined,
          limit: filter.limit,
        },
      });
      return r.json?.disktests ?? [];
    },
    async getDiskTest(id: string): Promise<DiskTest> {
      const r = await t.request<DiskTest>('GET', `/disktests/${c(id)}`);
      return r.json;
    },
    // compareDiskTest compares a result with its member's baseline or with another result.
    async compareDiskTest(id: string, against: { baseline: string } | { run: string }): Promise<DiskComparison> {
      const query = 'baseline' in against ? { baseline: against.baseline } : { against: against.run };
      const r = await t.request<DiskComparison>('GET', `/disktests/${c(id)}/compare`, { query });
      return r.json;
    },
    async getDiskBaseline(cluster: string, member: string): Promise<DiskBaseline> {
      const r = await t.request<DiskBaseline>('GET', `/clusters/${c(cluster)}/disk-baselines/${c(member)}`);
      return r.json;
    },
    async setDiskBaseline(cluster: string, member: string, resultId: string): Promise<DiskBaseline> {
      const r = await t.request<DiskBaseline>('PUT', `/clusters/${c(cluster)}/disk-baselines/${c(member)}`, {
        body: { result_id: resultId },
      });
      return r.json;
    },
  };
}
