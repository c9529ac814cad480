// Package store is the history store shared by opsproxy, bench and diskprobe: a
// tamper-evident audit log, API tokens, benchmark and disk-test results with
// named baselines, job records, job schedules and each user's console history.
// Store is the interface; the postgres and bolt sub-packages implement it, open
// picks one from configuration, and storetest holds the contract suite both
// backends pass.
package store
