package cli

import (
	"context"
	"fmt"
	"log/slog"
)

// verify reads the backup back and checks it; exit 1 when it fails. As JSON it is the engine's
// record (backup.VerifyRecord, as a verify event stores it), printed whether it passed or not.
func (c *Command) verify(ctx context.Context, logger *slog.Logger) (int, error) {
	e, _, err := c.engine(logger)
	if err != nil {
		return 0, err
	}
	rec, err := e.Verify(ctx, c.name, nil)
	if c.wantJSON() {
		if perr := c.printJSON(rec); perr != nil && err == nil {
			err = perr
		}
		return 0, err
	}
	if err != nil {
		fmt.Fprintf(c.stdout, "%s: FAILED\n", c.name)
		return 0, err
	}
	fmt.Fprintf(c.stdout, "%s: OK\n", c.name)
	fmt.Fprintf(c.stdout, "  stored:   %d bytes, sha256 %s", rec.Size, rec.StoredSHA256)
	if rec.Encrypted {
		fmt.Fprint(c.stdout, " (encrypted)")
	}
	fmt.Fprintln(c.stdout)
	fmt.Fprintf(c.stdout, "  snapshot: %d bytes, sha256 %s\n", rec.SnapshotSize, rec.SHA256)
	if rec.Checksum {
		fmt.Fprintln(c.stdout, "  etcd's integrity hash: matched")
	} else {
		fmt.Fprintln(c.stdout, "  etcd's integrity hash: absent (a db file copied from a data directory)")
	}
	if st := rec.Status; st != nil {
		fmt.Fprintf(c.stdout, "  status:   revision %d, hash %d, total keys %d, total size %d\n", st.Revision, st.Hash, st.TotalKeys, st.TotalSize)
	}
	return 0, nil
}
