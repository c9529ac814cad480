-- Job records (see store.JobStore). The queue carries only ids. fence is
-- the fencing token: every write of a running job is an UPDATE ... WHERE
-- fence = $n, so a worker that lost its lease changes nothing.
CREATE TABLE jobs (
    id               text        PRIMARY KEY,
    kind             text        NOT NULL,
    cluster          text        NOT NULL,
    parameters       jsonb       NOT NULL,
    requested_by     text        NOT NULL,
    idempotency_key  text        UNIQUE,
    status           text        NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress         jsonb       NOT NULL,
    result           jsonb       NOT NULL,
    error            text        NOT NULL,
    attempts         integer     NOT NULL,
    fence            bigint      NOT NULL,
    worker           text        NOT NULL,
    cancel_requested boolean     NOT NULL,
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    heartbeat_at     timestamptz,
    finished_at      timestamptz
);
CREATE INDEX jobs_created_idx ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_kind_cluster_idx ON jobs (kind, cluster, created_at DESC);
CREATE INDEX jobs_status_idx ON jobs (status, created_at DESC);
