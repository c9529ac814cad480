-- The console command line an operation ran (put values redacted), empty for
-- operations of the REST API and for every record written before this
-- migration; part of the chain hash only when not empty (see store.ChainHash),
-- so existing records verify unchanged. A constant default makes the column a
-- catalog change only: existing rows are not rewritten.
ALTER TABLE audit_log ADD COLUMN command text NOT NULL DEFAULT '';
