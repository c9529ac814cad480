-- The X-Request-Id a client sent, kept beside the id opsproxy gives every
-- request (request_id), so that a lookup by request_id is unambiguous. Empty
-- when the client sent none; part of the chain hash only when not empty, so
-- records written before this column verify unchanged.
ALTER TABLE audit_log ADD COLUMN client_request_id text NOT NULL DEFAULT '';
