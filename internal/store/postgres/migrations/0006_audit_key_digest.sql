-- A key or range end longer than store.MaxAuditKeyLen, or one withheld from the
-- record of a refused request, is stored as its first bytes (none when withheld)
-- with the whole one's size and sha256. Zero and empty mean the key column holds
-- the whole key, as in every record written before this migration (whose chain
-- hashes leave these fields out: see store.ChainHash). A constant default makes
-- the new columns a catalog change only: existing rows are not rewritten.
ALTER TABLE audit_log
    ADD COLUMN key_size         bigint NOT NULL DEFAULT 0,
    ADD COLUMN key_sha256       text   NOT NULL DEFAULT '',
    ADD COLUMN range_end_size   bigint NOT NULL DEFAULT 0,
    ADD COLUMN range_end_sha256 text   NOT NULL DEFAULT '';
