package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
)

// download writes the backup's snapshot, decrypted, to --out and prints its sha256: in the format
// of sha256sum, or as JSON the engine's record (backup.DownloadRecord), which also holds what the
// text prints on standard error (size, revision, keys) and whether etcd's integrity hash matched.
func (c *Command) download(ctx context.Context, logger *slog.Logger) (int, error) {
	if c.out == "" {
		return 0, usagef("--out: must not be empty")
	}
	if _, err := os.Lstat(c.out); err == nil {
		return 0, usagef("--out %s: exists; download never overwrites a file", c.out)
	}
	e, _, err := c.engine(logger)
	if err != nil {
		return 0, err
	}
	rec, err := e.Download(ctx, c.name, c.out)
	if err != nil {
		return 0, err
	}
	if c.wantJSON() {
		return 0, c.printJSON(rec)
	}
	// The format of sha256sum, so that `sha256sum -c` reads it.
	fmt.Fprintf(c.stdout, "%s  %s\n", rec.SHA256, rec.Path)
	if rec.Status != nil {
		fmt.Fprintf(c.stderr, "wrote %d bytes (revision %d, total keys %d)\n", rec.Size, rec.Status.Revision, rec.Status.TotalKeys)
	}
	return 0, nil
}
