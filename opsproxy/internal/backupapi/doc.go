// Package backupapi serves the backups area of opsproxy: each cluster's backup locations, the
// backups they hold joined with the history store's backup events, the events themselves, a
// download of a backup's (decrypted) snapshot, and the backup metrics built at scrape time.
package backupapi
