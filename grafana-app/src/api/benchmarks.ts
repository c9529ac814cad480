import type { Transport } from './transport';

// Benchmark runs and baselines of opsproxy's API (opsproxy/openapi.yaml: /benchmarks,
// /clusters/{cluster}/baselines; docs/benchmarking.md). A run is started as a job of kind
// "benchmark" (admin); reading runs needs the viewer role, setting a baseline admin.

// PROFILES are the built-in SLO profiles (benchrunner/slo): etcdctl check perf's loads and
// k8s-large. The start form offers them until the cluster's own list (listProfiles) is read.
export const PROFILES = ['s', 'm', 'l', 'xl', 'k8s-large'] as const;

// COMMANDS are the benchmark commands a custom run may use (etcd's benchmark tool's).
export const COMMANDS = ['put', 'range', 'txn-put', 'txn-mixed', 'watch', 'watch-latency', 'lease-keepalive'] as const;

// CUSTOM is the profile name of runs of a command.
export const CUSTOM = 'custom';

export type BenchmarkSummary = {
  id: string;
  cluster: string;
  profile: string;
  job: string;
  step: number;
  steps: number;
  command: string;
  started_at: string;
  finished_at: string;
  verdict?: 'pass' | 'fail';
  partial?: boolean;
  requests: number;
  throughput: number;
  latency_p99: number;
};

export type Distribution = {
  count: number;
  fastest: number;
  slowest: number;
  average: number;
  stddev: number;
  percentiles: Record<string, number>;
};

export type Sample = { second: number; requests: number; errors: number; throughput: number; p50: number; p99: number };

export type BenchmarkReport = {
  command: string;
  parameters?: Record<string, string>;
  partial?: boolean;
  reason?: string;
  requests: number;
  errors?: Record<string, number>;
  throughput: number;
  latency: Distribution;
  service: Distribution;
  samples?: Sample[];
  runner?: { host: string; cpus: number; cpu_percent: number };
  cluster?: { version: string; members: number; db_size_bytes: number };
};

export type BenchmarkRun = BenchmarkSummary & {
  parameters: { job: string; profile: string; command: string; flags?: Record<string, string>; args?: string[] };
  report: BenchmarkReport;
};

export type MetricComparison = {
  metric: 'throughput' | 'p99';
  verdict: Verdict;
  change: number;
  low: number;
  high: number;
  baseline_median: number;
  run_median: number;
  note?: string;
};

export type Verdict = 'regressed' | 'improved' | 'unchanged';

export type Comparison = {
  run: BenchmarkSummary;
  baseline: BenchmarkSummary;
  baseline_name?: string;
  verdict: Verdict;
  results: MetricComparison[];
};

// BenchmarkProfile is an SLO profile a cluster offers (GET /clusters/{cluster}/benchmark-profiles):
// built in, from opsproxy's profiles_file (config) or from the cluster's own file (cluster).
export type BenchmarkProfile = {
  name: string;
  description: string;
  source: 'builtin' | 'config' | 'cluster';
  steps: Array<{ command: string; rate: number; duration_seconds: number }>;
  rules: {
    min_throughput_ratio: number;
    min_throughput: number;
    max_slowest_seconds: number;
    max_stddev_seconds: number;
    max_p99_seconds: number;
    max_errors: number;
  };
};

export type Baseline = { cluster: string; name: string; set_by: string; set_at: string; run: BenchmarkSummary };

// BenchmarkProgress is a benchmark job's progress (docs/job-kinds.md).
export type BenchmarkProgress = {
  state?: 'running' | 'cleaning';
  profile?: string;
  step?: number;
  steps?: number;
  command?: string;
  done?: number;
  total?: number;
  results?: string[];
  // samples are the last per-second samples (at most 120) of step samples_step, closed so far.
  samples?: Sample[];
  samples_step?: number;
};

// BenchmarkParameters are a benchmark job's parameters: a profile, or a command with its flags.
export type BenchmarkParameters =
  | { profile: string; force?: boolean }
  | { command: string; args?: string[]; flags?: Record<string, string>; force?: boolean };

// parseFlags reads custom flags written one per line or space-separated, as `--total=1000`,
// `total=1000` or `--total 1000`; the error names the piece it could not read.
export function parseFlags(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const words = text.split(/\s+/).filter((w) => w !== '');
  for (let i = 0; i < words.length; i++) {
    const w = words[i].replace(/^--?/, '');
    const eq = w.indexOf('=');
    if (eq > 0) {
      out[w.slice(0, eq)] = w.slice(eq + 1);
      continue;
    }
    const next = words[i + 1];
    if (w === '' || next === undefined || next.startsWith('-')) {
      throw new Error(`flags: "${words[i]}" has no value (write --name=value)`);
    }
    out[w] = next;
    i++;
  }
  return out;
}

const c = encodeURIComponent;

export function benchmarksApi(t: Transport) {
  return {
    async listBenchmarks(filter: { cluster: string; profile?: string; limit?: number }): Promise<BenchmarkSummary[]> {
      const r = await t.request<{ benchmarks?: BenchmarkSummary[] }>('GET', '/benchmarks', {
        query: { cluster: filter.cluster, profile: filter.profile || undefined, limit: filter.limit },
      });
      return r.json?.benchmarks ?? [];
    },
    async getBenchmark(id: string): Promise<BenchmarkRun> {
      const r = await t.request<BenchmarkRun>('GET', `/benchmarks/${c(id)}`);
      return r.json;
    },
    // compareBenchmark compares a run with a named baseline of its cluster or with another run.
    async compareBenchmark(id: string, against: { baseline: string } | { run: string }): Promise<Comparison> {
      const query = 'baseline' in against ? { baseline: against.baseline } : { against: against.run };
      const r = await t.request<Comparison>('GET', `/benchmarks/${c(id)}/compare`, { query });
      return r.json;
    },
    // listProfiles lists the profiles a benchmark job on the cluster may name, sorted by name.
    async listProfiles(cluster: string): Promise<BenchmarkProfile[]> {
      const r = await t.request<{ profiles?: BenchmarkProfile[] }>('GET', `/clusters/${c(cluster)}/benchmark-profiles`);
      return r.json?.profiles ?? [];
    },
    async getBaseline(cluster: string, name: string): Promise<Baseline> {
      const r = await t.request<Baseline>('GET', `/clusters/${c(cluster)}/baselines/${c(name)}`);
      return r.json;
    },
    async setBaseline(cluster: string, name: string, runId: string): Promise<Baseline> {
      const r = await t.request<Baseline>('PUT', `/clusters/${c(cluster)}/baselines/${c(name)}`, {
        body: { result_id: runId },
      });
      return r.json;
    },
  };
}
