-- The audit log: one row per record, chained by prev_hash/hash (see store.ChainHash).
CREATE TABLE audit_log (
    seq          bigint      NOT NULL,
    time         timestamptz NOT NULL,
    request_id   text        NOT NULL,
    user_name    text        NOT NULL,
    token_id     text        NOT NULL,
    role         text        NOT NULL,
    source       text        NOT NULL,
    cluster      text        NOT NULL,
    operation    text        NOT NULL,
    key          bytea       NOT NULL,
    range_end    bytea       NOT NULL,
    value_size   bigint      NOT NULL,
    value_sha256 text        NOT NULL,
    outcome      text        NOT NULL,
    error        text        NOT NULL,
    duration_ns  bigint      NOT NULL,
    prev_hash    bytea       NOT NULL,
    hash         bytea       NOT NULL,
    CONSTRAINT audit_log_pkey PRIMARY KEY (seq)
);
CREATE INDEX audit_log_time_idx ON audit_log (time);
CREATE INDEX audit_log_user_idx ON audit_log (user_name, seq);
CREATE INDEX audit_log_cluster_idx ON audit_log (cluster, seq);

-- The chain's head (last record) and retention anchor (last pruned record).
-- Appends lock this single row, which serialises them across processes.
CREATE TABLE audit_chain (
    id          int    PRIMARY KEY CHECK (id = 1),
    head_seq    bigint NOT NULL,
    head_hash   bytea  NOT NULL,
    anchor_seq  bigint NOT NULL,
    anchor_hash bytea  NOT NULL
);
INSERT INTO audit_chain VALUES (1, 0, decode(repeat('00', 32), 'hex'), 0, decode(repeat('00', 32), 'hex'));

CREATE TABLE api_tokens (
    id             text        PRIMARY KEY,
    name           text        NOT NULL,
    role           text        NOT NULL,
    clusters       text[]      NOT NULL,
    key_prefixes   bytea[]     NOT NULL,
    acts_for_users boolean     NOT NULL,
    secret_hash    bytea       NOT NULL UNIQUE,
    created_at     timestamptz NOT NULL,
    created_by     text        NOT NULL,
    expires_at     timestamptz,
    revoked_at     timestamptz
);

CREATE TABLE results (
    id          text        PRIMARY KEY,
    kind        text        NOT NULL,
    cluster     text        NOT NULL,
    name        text        NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    parameters  jsonb       NOT NULL,
    figures     jsonb       NOT NULL,
    verdict     text        NOT NULL
);
CREATE INDEX results_cluster_kind_idx ON results (cluster, kind, started_at DESC);
CREATE INDEX results_started_idx ON results (started_at DESC);

CREATE TABLE baselines (
    kind      text        NOT NULL,
    cluster   text        NOT NULL,
    name      text        NOT NULL,
    result_id text        NOT NULL REFERENCES results (id),
    set_by    text        NOT NULL,
    set_at    timestamptz NOT NULL,
    PRIMARY KEY (kind, cluster, name)
);
