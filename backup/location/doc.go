// Package location is where backups are kept: a local or mounted directory, or a bucket (and
// prefix) of S3-compatible object storage. Every location writes atomically: an object appears
// under its name whole or not at all, and what an interrupted write leaves (a temporary file, an
// unfinished multipart upload) never has a backup's name and is removed.
package location
