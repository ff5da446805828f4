// Package store keeps what the moderators need to improve the FAQ, and no
// more: the outcome of every question (its kind, the entry that answered,
// whether it raised a red flag, how long it took), 👍/👎 counts per FAQ entry,
// and — only when the caller records them — the questions nobody could
// answer, redacted before they are written.
//
// Nothing stored holds a user id. One vote per voter per answer is enforced
// by a keyed hash (HMAC-SHA256 with a secret that is never stored) that
// expires after a day; times are kept to the hour; everything is deleted
// after the retention period by Sweep.
//
// Two engines share one API: SQLite (pure Go, modernc.org/sqlite; in memory or
// in a file) and PostgreSQL (pgx) for several replicas on one database.
// A nil *Store is valid: it records nothing, and its queries return ErrNoStore.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite" // database/sql driver "sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Defaults for Options.
const (
	DefaultRetention  = 30 * 24 * time.Hour
	DefaultVoteWindow = 24 * time.Hour
)

// ErrNoStore is returned by the queries of a nil *Store: no database is open.
var ErrNoStore = errors.New("store: no database configured")

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// Retention is how long questions, unanswered questions and vote counts
	// are kept before Sweep deletes them (RETENTION_DAYS). Default 30 days.
	Retention time.Duration
	// VoteWindow is how long one vote per voter per answer is enforced; the
	// vote hash is swept after it. Default 24 hours; at most Retention.
	VoteWindow time.Duration
	// Secret keys the vote hashes. Empty: a random secret for this Store,
	// which is never written anywhere. Replicas sharing a database must share
	// one secret, or a voter could vote once through each of them.
	Secret []byte
	// Logger receives the sweeper's errors and counts. Default: discarded.
	Logger *slog.Logger
}

// Store is the moderators' record. It is safe for concurrent use; several
// Stores (processes) may share one PostgreSQL database or one SQLite file.
type Store struct {
	db        *sql.DB
	postgres  bool
	retention time.Duration
	window    time.Duration
	secret    []byte
	log       *slog.Logger
}

//go:embed migrations
var migrations embed.FS

// sqliteMigrate serialises SQLite migrations within the process: goose's
// session lock exists for PostgreSQL only. Processes sharing one SQLite file
// must not run their first migration at the same moment (use PostgreSQL for
// replicas).
var sqliteMigrate sync.Mutex

// Open opens the store named by url and brings its schema up to date:
//
//	""                                   SQLite in memory: nothing on disk, nothing kept after exit
//	"postgres://…", "postgresql://…"     PostgreSQL (several replicas may share it)
//	"sqlite:PATH", "file:PATH" or a path  a SQLite file, created mode 0600 (WAL, busy timeout)
//	"sqlite::memory:"                    SQLite in memory, as ""
func Open(ctx context.Context, url string, opt Options) (*Store, error) {
	s := &Store{retention: opt.Retention, window: opt.VoteWindow, log: opt.Logger}
	if s.retention == 0 {
		s.retention = DefaultRetention
	}
	if s.window == 0 {
		s.window = DefaultVoteWindow
	}
	if s.retention < time.Hour || s.window < 0 || s.window > s.retention {
		return nil, fmt.Errorf("store: retention %v and vote window %v: need retention of at least an hour and a vote window between 0 and the retention", s.retention, s.window)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.secret = opt.Secret
	if len(s.secret) == 0 {
		s.secret = make([]byte, 32)
		rand.Read(s.secret)
	}

	var err error
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		s.postgres = true
		s.db, err = sql.Open("pgx", url)
		if err == nil {
			s.db.SetMaxOpenConns(16)
			s.db.SetMaxIdleConns(4)
		}
	case url == "", url == "sqlite::memory:", url == ":memory:":
		// One connection: every connection to ":memory:" is its own database.
		s.db, err = sql.Open("sqlite", ":memory:")
		if err == nil {
			s.db.SetMaxOpenConns(1)
			s.db.SetConnMaxLifetime(0)
			s.db.SetConnMaxIdleTime(0)
		}
	case strings.Contains(url, "://"):
		return nil, fmt.Errorf("store: database URL %q: use postgres://…, sqlite:PATH or a file path", redactURL(url))
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:")
		if path == "" || strings.ContainsAny(path, "?#") {
			return nil, fmt.Errorf("store: SQLite path %q: give a plain file path", path)
		}
		if err := createPrivate(path); err != nil {
			return nil, fmt.Errorf("store: create %s: %w", path, err)
		}
		// WAL lets readers work while one writer writes; busy_timeout makes a
		// writer wait for another handle's lock instead of failing; immediate
		// transactions take the write lock at BEGIN, so two transactions never
		// deadlock upgrading a read lock.
		s.db, err = sql.Open("sqlite", "file:"+path+
			"?_pragma=busy_timeout(20000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
		if err == nil {
			s.db.SetMaxOpenConns(4)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if err := s.ping(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", s.engine(), err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// ping connects. Switching a new SQLite file to WAL takes an exclusive lock
// that SQLite does not wait for, whatever the busy timeout: replicas opening
// the same new file at once get SQLITE_BUSY, and try again.
func (s *Store) ping(ctx context.Context) error {
	for wait := 10 * time.Millisecond; ; wait *= 2 {
		err := s.db.PingContext(ctx)
		var se *sqlite.Error
		if !errors.As(err, &se) || se.Code() != sqlite3.SQLITE_BUSY || wait > 5*time.Second {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// createPrivate creates the SQLite file readable by its owner only (its
// -wal and -shm files take the same mode). An existing file is left as is.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// redactURL hides a password in a URL for error messages.
func redactURL(url string) string {
	if i := strings.Index(url, "@"); i >= 0 {
		if j := strings.Index(url, "://"); j >= 0 && j < i {
			return url[:j+3] + "…" + url[i:]
		}
	}
	return url
}

func (s *Store) engine() string {
	if s.postgres {
		return "postgres"
	}
	return "sqlite"
}

// migrate applies the embedded goose migrations of the store's dialect.
// PostgreSQL replicas starting together take turns through goose's advisory
// session lock.
func (s *Store) migrate(ctx context.Context) error {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	} else {
		sqliteMigrate.Lock()
		defer sqliteMigrate.Unlock()
	}
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, s.db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate %s schema: %w", s.engine(), err)
	}
	return nil
}

// Close closes the database. Closing a nil Store does nothing.
func (s *Store) Close() error {
	if s == nil {
		return nil
	}
	return s.db.Close()
}

// q adapts a query written with ? placeholders to the store's dialect.
func (s *Store) q(query string) string {
	if !s.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hour is t in unix seconds, truncated to the hour: the only precision the
// store keeps, so a row cannot be matched to a message by its time.
func hour(t time.Time) int64 { return t.Truncate(time.Hour).Unix() }

// orNow is t, or the current time when t is zero.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// inTx runs f in a transaction (an immediate one on SQLite).
func (s *Store) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// guildFilter is the WHERE clause part and arguments for a guild ("" = all).
func guildFilter(guild string) (string, []any) {
	if guild == "" {
		return "", nil
	}
	return " AND guild = ?", []any{guild}
}
