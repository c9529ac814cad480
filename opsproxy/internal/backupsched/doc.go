// Package backupsched keeps the schedules of the configuration's backups section in the
// jobs system's schedules, under stable ids ("backups/<cluster>/<location>/<kind>"), so that
// each slot fires one job however many opsproxy and worker processes share the store.
package backupsched
