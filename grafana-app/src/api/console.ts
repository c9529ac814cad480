import type { Job } from './jobs';
import type { Transport } from './transport';

// The console API (issue #14): etcdctl command lines run through opsproxy's RBAC and audit,
// completion at the cursor, and the caller's own history and settings. Running, completing and
// the history need the viewer role; each command then needs the role of the operation it
// performs (a viewer's put is refused with 403 naming it).

// ConsoleRun is the answer of a command that was allowed and ran; etcd's own refusal of it
// (a lease not found) is a run too, with exit_code != 0 and etcdctl's text in stderr.
export type ConsoleRun = {
  stdout: string;
  stderr: string;
  exit_code: number;
  // result is the object etcdctl -w json prints for the command, whatever -w was asked.
  result: unknown;
  // operation is the opsproxy operation the command was checked and audited as (keys.get).
  operation: string;
  // format is the -w used: simple, json, table or fields.
  format: string;
  // job is the job a defrag, snapshot save or check perf enqueued.
  job: Job | null;
  duration_ns: number;
};

// Candidate's kind is one of command, subcommand, flag, value, key, member, lease, snapshot.
export type Candidate = { text: string; description?: string; kind: string };

// Completion replaces line[from:to] with a candidate's text; truncated says there were more.
export type Completion = { from: number; to: number; candidates: Candidate[]; truncated: boolean };

export type ConsoleHistoryEntry = {
  id: string;
  cluster: string;
  line: string;
  time: string;
  exit_code: number;
  duration_ns: number;
};

// ConsoleHistoryPage is a page of the caller's history, newest first; next continues it.
export type ConsoleHistoryPage = { entries: ConsoleHistoryEntry[]; next?: string };

export type ConsoleHistoryQuery = { cluster?: string; q?: string; limit?: number; cursor?: string };

export type ConsoleSettings = { keep_values: boolean };

const c = encodeURIComponent;

export function consoleApi(t: Transport) {
  return {
    // runConsoleLine runs line (its first line the command, the next ones what etcdctl reads from
    // stdin). A refused or malformed command is thrown as an ApiError with etcdctl's exit code.
    async runConsoleLine(cluster: string, line: string): Promise<ConsoleRun> {
      const r = await t.request<Partial<ConsoleRun>>('POST', `/clusters/${c(cluster)}/console`, { body: { line } });
      const a = r.json ?? {};
      return {
        stdout: a.stdout ?? '',
        stderr: a.stderr ?? '',
        exit_code: a.exit_code ?? 0,
        result: a.result ?? null,
        operation: a.operation ?? '',
        format: a.format ?? 'simple',
        job: a.job ?? null,
        duration_ns: a.duration_ns ?? 0,
      };
    },
    // completeLine asks for the candidates completing line at cursor (a byte offset of the UTF-8
    // line, which the page converts from its string index).
    async completeLine(cluster: string, line: string, cursor: number): Promise<Completion> {
      const r = await t.request<Partial<Completion>>('GET', `/clusters/${c(cluster)}/complete`, {
        query: { line, cursor },
      });
      const a = r.json ?? {};
      return { from: a.from ?? cursor, to: a.to ?? cursor, candidates: a.candidates ?? [], truncated: !!a.truncated };
    },
    async consoleHistory(q: ConsoleHistoryQuery = {}): Promise<ConsoleHistoryPage> {
      const r = await t.request<Partial<ConsoleHistoryPage>>('GET', '/console/history', {
        query: { cluster: q.cluster, q: q.q, limit: q.limit, cursor: q.cursor },
      });
      return { entries: r.json?.entries ?? [], next: r.json?.next || undefined };
    },
    // clearConsoleHistory deletes every line of the caller's history and answers how many.
    async clearConsoleHistory(): Promise<number> {
      const r = await t.request<{ deleted?: number }>('DELETE', '/console/history');
      return r.json?.deleted ?? 0;
    },
    async consoleSettings(): Promise<ConsoleSettings> {
      const r = await t.request<Partial<ConsoleSettings>>('GET', '/console/settings');
      return { keep_values: !!r.json?.keep_values };
    },
    async setConsoleSettings(s: ConsoleSettings): Promise<ConsoleSettings> {
      const r = await t.request<Partial<ConsoleSettings>>('PUT', '/console/settings', { body: s });
      return { keep_values: r.json?.keep_values ?? s.keep_values };
    },
  };
}
