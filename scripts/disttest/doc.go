// Package disttest checks `make dist` (scripts/dist.sh): the release's file list, its
// checksums, and that the binaries still build for darwin.
package disttest
