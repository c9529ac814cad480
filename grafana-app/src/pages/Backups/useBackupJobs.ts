import { useCallback, useEffect, useRef, useState } from 'react';
import { isFinished, newIdempotencyKey, useApi, type BackupJobKind, type Job } from '../../api';
import { failure, type Failure } from '../failure';

// JobRequest is a backup job the user asked for: its kind and parameters, and the title the page
// shows for it (in the confirmation and on its progress line).
export type JobRequest = { kind: BackupJobKind; parameters: Record<string, unknown>; title: string };

// LiveJob is a job started from the page, as last read.
export type LiveJob = { job: Job; title: string; error?: Failure };

// useBackupJobs starts backup jobs on cluster and follows each until it ends, calling onFinished
// with it then (the page reads the backups again). The jobs are followed until the component
// using it goes away.
export function useBackupJobs(cluster: string, onFinished: (job: Job) => void) {
  const api = useApi();
  const [jobs, setJobs] = useState<LiveJob[]>([]);
  const [error, setError] = useState<Failure>();
  const aborts = useRef<AbortController[]>([]);
  const finished = useRef(onFinished);
  useEffect(() => {
    finished.current = onFinished;
  }, [onFinished]);

  useEffect(
    () => () => {
      for (const a of aborts.current) {
        a.abort();
      }
    },
    []
  );

  const update = (id: string, change: Partial<LiveJob>) =>
    setJobs((js) => js.map((j) => (j.job.id === id ? { ...j, ...change } : j)));

  const start = useCallback(
    async (req: JobRequest): Promise<Job | undefined> => {
      setError(undefined);
      let job: Job;
      try {
        job = await api.enqueueJob({
          kind: req.kind,
          cluster,
          parameters: req.parameters,
          idempotency_key: newIdempotencyKey(),
        });
      } catch (e) {
        setError(failure(e));
        return undefined;
      }
      setJobs((js) => [{ job, title: req.title }, ...js.filter((j) => j.job.id !== job.id)]);
      const ctl = new AbortController();
      aborts.current.push(ctl);
      api.followJob(
        job.id,
        {
          onJob(j) {
            update(j.id, { job: j, error: undefined });
            if (isFinished(j.status)) {
              finished.current(j);
            }
          },
          onError(err, final) {
            if (final) {
              update(job.id, { error: failure(err) });
            }
          },
        },
        ctl.signal
      );
      return job;
    },
    [api, cluster]
  );

  return { jobs, error, start };
}
