-- The chain's head moves by inserting a row per appended batch instead of
-- updating the one audit_chain row. Updating one row hundreds of times a second
-- leaves a dead version per update that PostgreSQL cannot remove while any
-- snapshot older than it is open (pg_dump, a long report, a long verify): each
-- update then walks the versions left so far, and appends fell from ~1,650 to
-- ~350 batches/s within two minutes of an open REPEATABLE READ transaction.
--
-- A batch links onto the newest row (the tip) and is written only if its
-- insert here succeeds: seq and prev_seq are unique, so of two batches linked
-- onto one tip (two processes) exactly one is written, and the insert is made
-- only while the tip is still the point the batch was linked onto.
-- PruneAudit deletes rows below its new anchor but never the tip.
-- prev_seq is NULL for the row carried over from audit_chain (or the genesis
-- point on a new database).
CREATE TABLE audit_heads (
    seq      bigint PRIMARY KEY,
    prev_seq bigint UNIQUE,
    hash     bytea  NOT NULL
);
INSERT INTO audit_heads (seq, prev_seq, hash) SELECT head_seq, NULL, head_hash FROM audit_chain WHERE id = 1;
-- audit_chain keeps the retention anchor only. Dropping the head columns makes
-- an opsproxy from before this migration fail to append (503) instead of
-- forking the chain beside a newer one.
ALTER TABLE audit_chain DROP COLUMN head_seq, DROP COLUMN head_hash;
