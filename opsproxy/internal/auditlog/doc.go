// Package auditlog is opsproxy's audit pipeline: records committed in batches shared by
// concurrent requests, and retention that prunes the oldest records while the chain still
// verifies.
package auditlog
