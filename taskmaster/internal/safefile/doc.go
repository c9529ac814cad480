// Package safefile writes files so that readers and crashes never see half of one: data
// goes to a temporary file in the same directory, is synced and renamed over the target,
// and read-modify-write cycles run under an exclusive lock on the directory.
package safefile
