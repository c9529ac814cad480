package storetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresDSN returns the DSN of the test PostgreSQL server: the one named
// by ETCD_MONITOR_TEST_POSTGRES_DSN, or CI's 127.0.0.1:5432 (trust auth,
// database test) as $PGUSER, the current user, postgres or root. An
// unreachable server fails the test: the store must not go untested.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	if dsn := os.Getenv("ETCD_MONITOR_TEST_POSTGRES_DSN"); dsn != "" {
		return dsn
	}
	users := []string{os.Getenv("PGUSER")}
	if u, err := user.Current(); err == nil {
		users = append(users, u.Username)
	}
	users = append(users, "postgres", "root")
	var errs []error
	for _, u := range users {
		if u == "" {
			continue
		}
		dsn := fmt.Sprintf("postgres://%s@127.0.0.1:5432/test?sslmode=disable", u)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, dsn)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return dsn
		}
		errs = append(errs, err)
	}
	t.Fatalf("PostgreSQL at 127.0.0.1:5432 (database test) is required; start it with .ci/run or set ETCD_MONITOR_TEST_POSTGRES_DSN: %v", errors.Join(errs...))
	return ""
}

// DropSchemaAtCleanup drops schema (with everything in it) when t ends.
func DropSchemaAtCleanup(t testing.TB, dsn, schema string) {
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
}
