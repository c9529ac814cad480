import React from 'react';
import { ApiError } from '../../api';

// A failed call as the Keys page shows it: opsproxy's message, its request id, and its status.
export type Failure = { message: string; status?: number; requestId?: string };

export function failure(err: unknown): Failure {
  return {
    message: err instanceof Error ? err.message : String(err),
    status: err instanceof ApiError ? err.status : undefined,
    requestId: err instanceof ApiError ? err.requestId : undefined,
  };
}

// FailureText is the message, with a word on what a 403 means here: the token, or the user's
// role, may not touch keys outside its prefixes.
export function FailureText({ f }: { f: Failure }) {
  return (
    <>
      {f.status === 403 && <>Not allowed: opsproxy refused this for your token or role (keys outside its prefixes). </>}
      {f.message}
      {f.requestId && <> (request {f.requestId})</>}
    </>
  );
}
