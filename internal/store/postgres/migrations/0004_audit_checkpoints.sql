-- Signed checkpoints of the audit chain (see package auditseal): one per
-- committed batch (kind 'head') and one per retention anchor move (kind
-- 'anchor'). Rows are only inserted, and deleted by PruneAudit below its new
-- anchor; the runtime role gets INSERT and SELECT only (docs/security.md).
CREATE TABLE audit_checkpoints (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text        NOT NULL CHECK (kind IN ('head', 'anchor')),
    seq         bigint      NOT NULL,
    hash        bytea       NOT NULL,
    time        timestamptz NOT NULL,
    anchor_seq  bigint      NOT NULL,
    anchor_hash bytea       NOT NULL,
    key_id      text        NOT NULL,
    signature   bytea       NOT NULL
);
CREATE INDEX audit_checkpoints_seq_idx ON audit_checkpoints (seq, id);
