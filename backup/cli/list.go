package cli

import (
	"context"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup"
)

// list prints the backups in the location (the cluster's, with --cluster), newest first. As JSON
// it is the list opsproxy's backups API answers, with what the location alone says: no backup
// events are read, so snapshot size, revision, key count, checks and job are unknown (0, null).
func (c *Command) list(ctx context.Context, logger *slog.Logger) (int, error) {
	e, external, err := c.engine(logger)
	if err != nil {
		return 0, err
	}
	objs, err := e.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("list %s: %w", e.Location(), err)
	}
	out := backup.List{Backups: make([]backup.Summary, 0, len(objs))}
	for _, o := range objs {
		out.Backups = append(out.Backups, backup.SummaryOf(c.location, external, o))
	}
	if c.wantJSON() {
		return 0, c.printJSON(out)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSIZE\tTIME")
	for _, s := range out.Backups {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", s.Name, s.Size, s.CreatedAt.UTC().Format(time.RFC3339))
	}
	return 0, tw.Flush()
}
