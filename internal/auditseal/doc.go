// Package auditseal makes the audit log tamper-evident against someone who
// can write the database: after every committed batch a Sealer signs a
// checkpoint of the chain head with an Ed25519 key kept outside the database
// and writes it to witnesses outside it (an append-only file, a key in etcd)
// as well as to the store; Verify checks records, chain, signatures and
// witnesses together. See docs/security.md.
package auditseal
