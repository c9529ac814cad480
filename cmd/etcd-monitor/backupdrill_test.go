package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/backup/location"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// The drill's member runs as `etcd-monitor backup-drill-member`, the hidden subcommand.
func TestBackupDrillRunsItsMemberThroughTheHiddenSubcommand(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t.Setenv("ETCD_MONITOR_TEST_RUN_MAIN", "1")
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	cli := c.Client(t)
	for _, k := range []string{"a", "b", "c"} {
		if _, err := cli.Put(ctx, "/drill/"+k, k); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := etcdconn.New(clusterconfig.Cluster{Name: "prod", Endpoints: c.Endpoints()})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	loc, _ := location.NewDir(t.TempDir())
	e, err := backup.New(backup.Config{Cluster: "prod", Conn: conn, Location: loc, ScratchDir: t.TempDir(),
		Drill: backup.DrillCommand{Path: os.Args[0], Args: []string{backup.DrillMemberCommand}}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := e.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Drill(ctx, rec.Name, &rec)
	if err != nil || !d.OK || d.Got.KeyCount != 3 {
		t.Fatalf("drill: %+v, %v", d, err)
	}
}
