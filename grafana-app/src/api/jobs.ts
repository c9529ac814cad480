import { BACKUP_JOB_KINDS } from './backups';
import type { SnapshotStatus } from './maintenance';
import { ApiError, type Transport } from './transport';

// Jobs and schedules of opsproxy's API (opsproxy/openapi.yaml: /jobs, /schedules; the kinds'
// parameters and progress in docs/job-kinds.md). Reading needs the viewer role; enqueueing,
// cancelling and changing schedules need the role of the job's kind (admin for both kinds).

// JOB_KINDS are the kinds the Jobs page schedules and the Maintenance page starts.
export const JOB_KINDS = ['defragment', 'snapshot'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

// SERVER_JOB_KINDS are every kind opsproxy registers (opsproxy/internal/jobkinds, in its order;
// docs/job-kinds.md): the Jobs page lists and filters them all. benchmark, disktest and the
// backup kinds are started from the Benchmarks, Disk and Backups pages.
export const SERVER_JOB_KINDS = [...JOB_KINDS, 'benchmark', 'disktest', ...BACKUP_JOB_KINDS] as const;
export type ServerJobKind = (typeof SERVER_JOB_KINDS)[number];

// Each kind's name for people; the type makes a kind added above without a label an error.
const JOB_KIND_LABELS: Record<ServerJobKind, string> = {
  defragment: 'Defragmentation',
  snapshot: 'Snapshot',
  benchmark: 'Benchmark',
  disktest: 'Disk test',
  backup: 'Backup',
  'backup-verify': 'Backup verification',
  'backup-drill': 'Restore drill',
  'backup-inspect': 'Location inspection',
  'backup-restore': 'Restore from backup',
};

// jobKindLabel is the kind's name for people; a kind this app does not know (a newer server's)
// shows as the server names it.
export function jobKindLabel(kind: string): string {
  return Object.prototype.hasOwnProperty.call(JOB_KIND_LABELS, kind) ? JOB_KIND_LABELS[kind as ServerJobKind] : kind;
}

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

// isFinished reports whether a job has its final status.
export function isFinished(status: string): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

export type Job = {
  id: string;
  kind: string;
  cluster: string;
  parameters?: Record<string, unknown>;
  requested_by?: string;
  idempotency_key?: string;
  status: JobStatus;
  progress?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: string;
  attempts?: number;
  fence?: number;
  worker?: string;
  cancel_requested?: boolean;
  created_at?: string;
  started_at?: string;
  heartbeat_at?: string;
  finished_at?: string;
};

// DefragMember is one member's step in a defragment job's progress (and result).
export type DefragMember = {
  id: string;
  name?: string;
  endpoint?: string;
  leader?: boolean;
  state: 'pending' | 'skipped' | 'running' | 'done' | 'failed';
  reason?: string;
  db_size_before?: number;
  db_size_after?: number;
};

export type DefragProgress = { dry_run?: boolean; rule?: string; members?: DefragMember[] };

export type SnapshotProgress = { member?: string; name?: string; bytes_written?: number };

export type SnapshotResult = {
  name: string;
  size?: number;
  sha256?: string;
  member?: string;
  cluster?: string;
  status?: SnapshotStatus;
};

export type JobFilter = { kind?: string; cluster?: string; status?: string; user?: string };

export type JobPage = { jobs: Job[]; next?: string };

// NewJob is what enqueueing takes; the same idempotency_key twice gives the same job.
export type NewJob = {
  kind: ServerJobKind;
  cluster: string;
  parameters?: Record<string, unknown>;
  idempotency_key: string;
};

export type Schedule = {
  id: string;
  name: string;
  kind: string;
  cluster: string;
  parameters?: Record<string, unknown>;
  cron: string;
  timezone?: string;
  paused: boolean;
  created_by?: string;
  created_at?: string;
  updated_at?: string;
  last_slot?: string;
  last_job_id?: string;
  missed_slots?: number;
};

export type NewSchedule = {
  name: string;
  kind: JobKind;
  cluster: string;
  parameters?: Record<string, unknown>;
  cron: string;
  timezone?: string;
};

export type ScheduleFilter = { cluster?: string; kind?: string; paused?: boolean };

export type SchedulePage = { schedules: Schedule[]; next?: string };

// JobFollower receives a job at each change until it finishes (or the follow is aborted).
export type JobFollower = {
  onJob(job: Job): void;
  // onError: a read failed; final says whether the follow gave up (the job is gone or not
  // allowed) or goes on polling.
  onError(err: ApiError, final: boolean): void;
};

export const JOBS_PAGE_SIZE = 50;
export const SCHEDULES_PAGE_SIZE = 100;
// POLL_MS is how often a job is read again while it is open and no stream carries it.
export const POLL_MS = 1000;

const c = encodeURIComponent;

// newIdempotencyKey makes the key of one enqueue the user confirmed, so that a retried request
// (a double click, a lost answer) gives the same job.
export function newIdempotencyKey(): string {
  const rand = globalThis.crypto?.randomUUID?.();
  return (
    rand ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`
  );
}

export function jobsApi(t: Transport) {
  async function getJob(id: string): Promise<Job> {
    const r = await t.request<Job>('GET', `/jobs/${c(id)}`);
    return r.json;
  }

  // pollJob reads the job every POLL_MS until it finishes, a read is refused for good or signal
  // aborts.
  async function pollJob(id: string, f: JobFollower, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const job = await getJob(id);
        if (signal.aborted) {
          return;
        }
        f.onJob(job);
        if (isFinished(job.status)) {
          return;
        }
      } catch (err) {
        if (signal.aborted) {
          return;
        }
        const e = err instanceof ApiError ? err : new ApiError(String(err), 0);
        const final = e.status >= 400 && e.status < 500 && e.status !== 429;
        f.onError(e, final);
        if (final) {
          return;
        }
      }
      await sleep(POLL_MS, signal);
    }
  }

  return {
    async enqueueJob(job: NewJob): Promise<Job> {
      const body: Record<string, unknown> = {
        kind: job.kind,
        cluster: job.cluster,
        idempotency_key: job.idempotency_key,
      };
      if (job.parameters && Object.keys(job.parameters).length > 0) {
        body.parameters = job.parameters;
      }
      const r = await t.request<Job>('POST', '/jobs', { body });
      return r.json;
    },
    // listJobs answers one page, newest first; pass the page's next as cursor for older jobs.
    async listJobs(filter: JobFilter, cursor?: string, limit = JOBS_PAGE_SIZE): Promise<JobPage> {
      const r = await t.request<Partial<JobPage>>('GET', '/jobs', {
        query: { ...filter, cursor: cursor || undefined, limit },
      });
      return { jobs: r.json?.jobs ?? [], next: r.json?.next || undefined };
    },
    getJob,
    // cancelJob asks for a cancel: a queued job is cancelled at once, a running one at its next
    // heartbeat (cancel_requested is then true); 409 when it has finished.
    async cancelJob(id: string): Promise<Job> {
      const r = await t.request<Job>('DELETE', `/jobs/${c(id)}`);
      return r.json;
    },
    // followJob hands f the job now and at each change until it finishes. Over a transport with
    // event streams it reads /jobs/{id}/events, and polls when the stream fails or ends early;
    // otherwise it polls every POLL_MS.
    followJob(id: string, f: JobFollower, signal: AbortSignal): void {
      if (!t.stream) {
        void pollJob(id, f, signal);
        return;
      }
      let finished = false;
      const fallBack = () => {
        if (!finished && !signal.aborted) {
          void pollJob(id, f, signal);
        }
      };
      t.stream(
        `/jobs/${c(id)}/events`,
        {
          onEvent(ev) {
            if (ev.event === 'error') {
              f.onError(new ApiError(streamError(ev.data), 0), false);
              fallBack();
              return false;
            }
            if (ev.event !== 'job') {
              return true;
            }
            let job: Job;
            try {
              job = JSON.parse(ev.data) as Job;
            } catch {
              return true;
            }
            f.onJob(job);
            finished = isFinished(job.status);
            return !finished;
          },
          onError(err) {
            const final = err.status === 404 || err.status === 403 || err.status === 401;
            if (final) {
              f.onError(err, true);
              return;
            }
            fallBack();
          },
          onEnd: fallBack,
        },
        signal
      );
    },
    async listSchedules(filter: ScheduleFilter, cursor?: string, limit = SCHEDULES_PAGE_SIZE): Promise<SchedulePage> {
      const r = await t.request<Partial<SchedulePage>>('GET', '/schedules', {
        query: {
          cluster: filter.cluster,
          kind: filter.kind,
          paused: filter.paused === undefined ? undefined : String(filter.paused),
          cursor: cursor || undefined,
          limit,
        },
      });
      return { schedules: r.json?.schedules ?? [], next: r.json?.next || undefined };
    },
    async getSchedule(id: string): Promise<Schedule> {
      const r = await t.request<Schedule>('GET', `/schedules/${c(id)}`);
      return r.json;
    },
    async createSchedule(spec: NewSchedule): Promise<Schedule> {
      const body: Record<string, unknown> = {
        name: spec.name,
        kind: spec.kind,
        cluster: spec.cluster,
        cron: spec.cron,
      };
      if (spec.parameters && Object.keys(spec.parameters).length > 0) {
        body.parameters = spec.parameters;
      }
      if (spec.timezone) {
        body.timezone = spec.timezone;
      }
      const r = await t.request<Schedule>('POST', '/schedules', { body });
      return r.json;
    },
    async pauseSchedule(id: string): Promise<Schedule> {
      const r = await t.request<Schedule>('POST', `/schedules/${c(id)}/pause`);
      return r.json;
    },
    async resumeSchedule(id: string): Promise<Schedule> {
      const r = await t.request<Schedule>('POST', `/schedules/${c(id)}/resume`);
      return r.json;
    },
    async deleteSchedule(id: string): Promise<string> {
      const r = await t.request<{ deleted?: string }>('DELETE', `/schedules/${c(id)}`);
      return r.json?.deleted ?? id;
    },
  };
}

// streamError is the message of the stream's error event ({"error": ...}, or its raw data).
function streamError(data: string): string {
  try {
    const b = JSON.parse(data) as { error?: string };
    if (b.error) {
      return b.error;
    }
  } catch {
    // not JSON: the data is the message
  }
  return data || 'the job’s event stream failed';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
