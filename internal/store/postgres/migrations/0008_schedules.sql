-- Schedules (see store.ScheduleStore): recurring jobs from a cron
-- expression. Every replica's scheduler takes a slot forward with one
-- conditional UPDATE ... WHERE last_slot < $slot, so one of them advances.
CREATE TABLE schedules (
    id           text        PRIMARY KEY,
    name         text        NOT NULL,
    kind         text        NOT NULL,
    cluster      text        NOT NULL,
    parameters   jsonb       NOT NULL,
    cron         text        NOT NULL,
    timezone     text        NOT NULL,
    paused       boolean     NOT NULL,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    last_slot    timestamptz,
    last_job_id  text        NOT NULL,
    missed_slots bigint      NOT NULL,
    CONSTRAINT schedules_name_per_cluster UNIQUE (cluster, name)
);
CREATE INDEX schedules_created_idx ON schedules (created_at DESC, id DESC);
