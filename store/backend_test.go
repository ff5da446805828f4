package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// postgresEnv names the PostgreSQL server the tests use. .ci/postgres.sh
// starts a throwaway one and prints the value.
const postgresEnv = "AVNBOT_TEST_DATABASE_URL"

// backend is a database engine the same tests run against.
type backend struct {
	name string
	// fresh returns the URL of a new, empty database that every Store
	// opened on it shares, removed when the test ends.
	fresh func(t testing.TB) string
}

// backends are SQLite (a file in the test's temporary directory) and, when
// AVNBOT_TEST_DATABASE_URL is set, PostgreSQL (a new schema per test). In CI
// (CI=true) a missing PostgreSQL fails the test instead of skipping it.
func backends() []backend {
	return []backend{
		{"sqlite", func(t testing.TB) string {
			return "sqlite:" + filepath.Join(t.TempDir(), "avnbot.db")
		}},
		{"postgres", freshPostgres},
	}
}

// forEach runs f once per backend as a subtest.
func forEach(t *testing.T, f func(t *testing.T, b backend)) {
	t.Helper()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

// freshPostgres makes a schema of its own on the test server and returns a
// URL whose search_path is that schema.
func freshPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(postgresEnv)
	if base == "" {
		msg := postgresEnv + " is not set: PostgreSQL tests need a server. Start a throwaway one with " +
			"`eval \"$(bash .ci/postgres.sh start)\"` (stop it with `bash .ci/postgres.sh stop`)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + "; CI must run them")
		}
		t.Skip(msg)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema on %s: %v", postgresEnv, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// open opens a Store on dbURL, closed when the test ends.
func open(t testing.TB, dbURL string, opt Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), dbURL, opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}
