-- Console history (see store.ConsoleHistoryStore): each user's command
-- lines, read newest first and only by their user, so the index leads with
-- the user. console_counts keeps each user's number of entries, so that an
-- append past the bound drops the oldest entry without counting the rest.
CREATE TABLE console_history (
    id          text        PRIMARY KEY,
    user_name   text        NOT NULL,
    cluster     text        NOT NULL,
    line        text        NOT NULL,
    time        timestamptz NOT NULL,
    exit_code   integer     NOT NULL,
    duration_ns bigint      NOT NULL
);
CREATE INDEX console_history_user_time_idx ON console_history (user_name, time DESC, id COLLATE "C" DESC);

CREATE TABLE console_counts (
    user_name text   PRIMARY KEY,
    entries   bigint NOT NULL
);

CREATE TABLE console_settings (
    user_name   text    PRIMARY KEY,
    keep_values boolean NOT NULL
);
