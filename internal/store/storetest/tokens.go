package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func token(id string, created time.Time) store.Token {
	return store.Token{
		ID:           id,
		Name:         "token " + id,
		Role:         "editor",
		Clusters:     []string{"prod", "staging"},
		KeyPrefixes:  []string{"/app/", "/cfg/\xff"},
		ActsForUsers: id == "grafana",
		SecretHash:   store.HashSecret("secret-" + id),
		CreatedAt:    created,
		CreatedBy:    "admin",
		ExpiresAt:    created.Add(24 * time.Hour),
	}
}

func testTokens(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	t1 := token("t1", base.Add(123456789*time.Nanosecond))
	t2 := token("grafana", base.Add(time.Minute))
	t2.ExpiresAt, t2.Clusters, t2.KeyPrefixes = time.Time{}, nil, nil
	t0 := token("t0", base.Add(-time.Minute))
	for _, tok := range []store.Token{t1, t2, t0} {
		if err := st.CreateToken(c, tok); err != nil {
			t.Fatalf("create token %s: %v", tok.ID, err)
		}
	}
	t1.CreatedAt, t1.ExpiresAt = store.NormalizeTime(t1.CreatedAt), store.NormalizeTime(t1.ExpiresAt)

	got, err := st.Token(c, "t1")
	if err != nil || !reflect.DeepEqual(got, t1) {
		t.Fatalf("token t1: %+v, %v\nwant %+v", got, err, t1)
	}
	got, err = st.TokenBySecretHash(c, store.HashSecret("secret-grafana"))
	if err != nil || !reflect.DeepEqual(got, t2) {
		t.Fatalf("token by hash: %+v, %v\nwant %+v", got, err, t2)
	}
	if _, err := st.TokenBySecretHash(c, store.HashSecret("guess")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown secret: %v, want ErrNotFound", err)
	}
	if _, err := st.Token(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown id: %v, want ErrNotFound", err)
	}
	list, err := st.ListTokens(c)
	if err != nil {
		t.Fatalf("list tokens: %v", err)
	}
	var ids []string
	for _, tok := range list {
		ids = append(ids, tok.ID)
	}
	if !reflect.DeepEqual(ids, []string{"t0", "t1", "grafana"}) {
		t.Fatalf("list order %v, want oldest first", ids)
	}

	if !t1.Usable(base) || t1.Usable(base.Add(48*time.Hour)) {
		t.Fatalf("usable: want true before expiry and false after")
	}
	at := base.Add(time.Hour)
	rev, err := st.RevokeToken(c, "t1", at)
	if err != nil || !rev.RevokedAt.Equal(at) || rev.Usable(base) {
		t.Fatalf("revoke: %+v, %v; want revoked at %v and unusable", rev, err, at)
	}
	rev, err = st.RevokeToken(c, "t1", at.Add(time.Hour))
	if err != nil || !rev.RevokedAt.Equal(at) {
		t.Fatalf("second revoke: revoked at %v, %v; want the first time %v kept", rev.RevokedAt, err, at)
	}
	got, err = st.TokenBySecretHash(c, store.HashSecret("secret-t1"))
	if err != nil || !got.RevokedAt.Equal(at) {
		t.Fatalf("revoked token by hash: %+v, %v; want it returned with its revocation", got, err)
	}
	if _, err := st.RevokeToken(c, "nope", at); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoke unknown: %v, want ErrNotFound", err)
	}
}

func testTokensConflicts(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	if err := st.CreateToken(c, token("a", base)); err != nil {
		t.Fatalf("create: %v", err)
	}
	sameID := token("a", base)
	sameID.SecretHash = store.HashSecret("other")
	if err := st.CreateToken(c, sameID); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("same id: %v, want ErrConflict", err)
	}
	sameHash := token("b", base)
	sameHash.SecretHash = store.HashSecret("secret-a")
	if err := st.CreateToken(c, sameHash); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("same secret hash: %v, want ErrConflict", err)
	}
	for name, mutate := range map[string]func(*store.Token){
		"no id":          func(t *store.Token) { t.ID = "" },
		"no role":        func(t *store.Token) { t.Role = "" },
		"no hash":        func(t *store.Token) { t.SecretHash = store.SecretHash{} },
		"expires before": func(t *store.Token) { t.ExpiresAt = t.CreatedAt.Add(-time.Second) },
	} {
		tok := token("c", base)
		mutate(&tok)
		if err := st.CreateToken(c, tok); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if list, err := st.ListTokens(c); err != nil || len(list) != 1 {
		t.Fatalf("list: %d tokens, %v; want only the first", len(list), err)
	}
}
