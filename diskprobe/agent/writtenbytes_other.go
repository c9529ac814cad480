//go:build !linux

package agent

// processWrittenBytes cannot be read outside Linux: time-based probes cannot be capped there
// (and the native engine, the only one that writes from this process, is Linux's anyway).
func processWrittenBytes() (int64, bool) { return 0, false }
