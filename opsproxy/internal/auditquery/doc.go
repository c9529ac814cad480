// Package auditquery is opsproxy's audit area: reading the audit log (JSON pages or CSV)
// within the token's scope, and verifying its chain.
package auditquery
