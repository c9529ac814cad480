import React from 'react';
import { ApiError } from '../api';

// Failure is what a page shows of a failed call: opsproxy's message and, when it answered, the
// request id to look up in the audit log.
export type Failure = { message: string; requestId?: string };

export function failure(err: unknown): Failure {
  return {
    message: err instanceof Error ? err.message : String(err),
    requestId: err instanceof ApiError ? err.requestId : undefined,
  };
}

export function FailureText({ f }: { f: Failure }) {
  return (
    <>
      {f.message}
      {f.requestId && <> (request {f.requestId})</>}
    </>
  );
}
