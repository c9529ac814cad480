-- Backup events (see store.BackupStore): each backup, verification, drill,
-- inspection, retention pass and restore, with the backup engine's record.
-- Read newest first by cluster and location (the API, the metrics).
CREATE TABLE backup_events (
    id          text        PRIMARY KEY,
    cluster     text        NOT NULL,
    location    text        NOT NULL,
    kind        text        NOT NULL,
    name        text        NOT NULL,
    job_id      text        NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    ok          boolean     NOT NULL,
    error       text        NOT NULL,
    size        bigint      NOT NULL,
    record      jsonb       NOT NULL
);
CREATE INDEX backup_events_cluster_location_idx ON backup_events (cluster, location, started_at DESC, id COLLATE "C" DESC);
CREATE INDEX backup_events_started_idx ON backup_events (started_at DESC, id COLLATE "C" DESC);
