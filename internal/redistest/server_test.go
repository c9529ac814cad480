package redistest

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestServerStartsAgainOnTheSamePortEmpty(t *testing.T) {
	ctx := context.Background()
	s := Start(t, "")
	c := s.Client()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	addr := s.Addr
	s.Stop()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("ping after Stop: no error, want the server gone")
	}
	s.Restart()
	if s.Addr != addr {
		t.Fatalf("address after Restart: %s, want %s", s.Addr, addr)
	}
	if n, err := c.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("key after Restart: exists=%d, %v; want an empty server", n, err)
	}
}

func TestServerWithPasswordRefusesAClientWithout(t *testing.T) {
	ctx := context.Background()
	s := Start(t, "t3st-secret")
	if err := s.Client().Ping(ctx).Err(); err != nil {
		t.Fatalf("ping with the password: %v", err)
	}
	anon := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer anon.Close()
	if err := anon.Ping(ctx).Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Fatalf("ping without the password: %v, want NOAUTH", err)
	}
	if want := "redis://:t3st-secret@" + s.Addr + "/0"; s.URL() != want {
		t.Fatalf("URL: %s, want %s", s.URL(), want)
	}
}
