//go:build cgo && sqlite_fts5

package index

import (
	"testing"

	_ "github.com/mattn/go-sqlite3" // C SQLite, through cgo; FTS5 with -tags sqlite_fts5
)

// BenchmarkSearchVsFTS5C is BenchmarkSearchVsFTS5 against C SQLite's FTS5
// (mattn/go-sqlite3, the SQLite amalgamation compiled by cgo with -O2): the
// comparison that says how fast the index is. It needs a C compiler, so it
// is built only on request:
//
//	go test -tags sqlite_fts5 -run XXX -bench SearchVsFTS5C ./index
//
// Its reports include the cost of database/sql and of a cgo call per row,
// a few microseconds, which any Go program using SQLite pays.
func BenchmarkSearchVsFTS5C(b *testing.B) { benchVsFTS5(b, "sqlite3") }
