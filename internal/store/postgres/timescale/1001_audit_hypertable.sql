-- Applied only when the timescaledb extension is usable. {{ts}} is the
-- extension's schema. Hypertable unique keys must include the time column.
-- No TimescaleDB retention policy is added: dropping chunks would cut the
-- chain without moving the anchor, so retention goes through PruneAudit.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (seq, time);
SELECT {{ts}}.create_hypertable('audit_log', 'time', migrate_data => true, if_not_exists => true);
ALTER TABLE audit_log SET (timescaledb.compress, timescaledb.compress_orderby = 'seq');
SELECT {{ts}}.add_compression_policy('audit_log', INTERVAL '7 days', if_not_exists => true);
