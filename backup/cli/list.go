package cli

import (
	"context"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"
)

// list prints the backups in the location (the cluster's, with --cluster), newest first.
func (c *Command) list(ctx context.Context, logger *slog.Logger) (int, error) {
	e, err := c.engine(logger)
	if err != nil {
		return 0, err
	}
	objs, err := e.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("list %s: %w", e.Location(), err)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSIZE\tTIME")
	for _, o := range objs {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", o.Name, o.Size, o.ModTime.UTC().Format(time.RFC3339))
	}
	return 0, tw.Flush()
}
