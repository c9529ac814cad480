package open_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/internal/store/open"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

func TestStoreWithoutDSNIsEmbeddedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	st, err := open.Store(context.Background(), open.Config{Path: path}, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer st.Close()
	if _, ok := st.(*bolt.Store); !ok {
		t.Fatalf("store is %T, want *bolt.Store", st)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("store file: %v", err)
	}
}

func TestStoreWithDSNIsPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	schema := "store_test_" + store.NewID()[:12]
	storetest.DropSchemaAtCleanup(t, dsn, schema)
	st, err := open.Store(context.Background(), open.Config{DSN: dsn, Schema: schema, Path: "unused.db"}, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer st.Close()
	if _, ok := st.(*postgres.Store); !ok {
		t.Fatalf("store is %T, want *postgres.Store", st)
	}
	if _, err := os.Stat("unused.db"); err == nil {
		t.Fatalf("embedded file created although a DSN was given")
	}
}

func TestStoreReportsBadDSNWithoutPassword(t *testing.T) {
	_, err := open.Store(context.Background(), open.Config{DSN: "host=127.0.0.1 password=hunter2 sslmode=nonsense", Path: "unused.db"}, nil)
	if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "postgres dsn") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("open with a bad DSN: %v, want a postgres dsn error without the password", err)
	}
}
