package index

import (
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	_ "modernc.org/sqlite" // in-process SQLite, with FTS5
)

// BenchmarkSearchVsFTS5 times the index and in-process SQLite FTS5 (bm25,
// porter) on the same entries and questions, one after the other, and
// reports both medians and their ratio. FTS5 gets each entry's phrasings
// as one row and the question's words OR-ed, as a plain FAQ search would.
// This SQLite is modernc.org/sqlite, C translated to Go, several times
// slower than C SQLite: BenchmarkSearchVsFTS5C (fts5c_test.go, built with
// cgo and -tags sqlite_fts5) is the comparison with C.
func BenchmarkSearchVsFTS5(b *testing.B) { benchVsFTS5(b, "sqlite") }

// benchVsFTS5 runs the comparison against the database/sql driver named.
func benchVsFTS5(b *testing.B, driver string) {
	kb := embedded(b)
	ix, err := Build(kb.Entries, kb.Synonyms)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	db, err := sql.Open(driver, ":memory:")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`create virtual table faq using fts5(id unindexed, phrasings, tokenize='porter unicode61')`); err != nil {
		b.Skipf("no FTS5 in this SQLite: %v", err)
	}
	// One transaction, then optimize: FTS5 writes a segment per transaction
	// and a query seeks every segment, so rows inserted one by one (30
	// segments) made each query five times slower than the same table
	// built at once, as the index is (one batch, one segment).
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range kb.Entries {
		if _, err := tx.Exec(`insert into faq(id, phrasings) values (?, ?)`, e.ID, strings.Join(e.Phrasings(), "\n")); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`insert into faq(faq) values ('optimize')`); err != nil {
		b.Fatal(err)
	}
	stmt, err := db.Prepare(`select id from faq where faq match ? order by bm25(faq) limit 5`)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	match := func(q string) string {
		var ws []string
		for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			ws = append(ws, `"`+w+`"`)
		}
		return strings.Join(ws, " OR ")
	}
	var ours, theirs []time.Duration
	for i := 0; b.Loop(); i++ {
		q := searchBenchQuestions[i%len(searchBenchQuestions)]
		t := time.Now()
		if _, err := ix.Search(q, Options{Top: 5}); err != nil {
			b.Fatal(err)
		}
		ours = append(ours, time.Since(t))
		t = time.Now()
		rows, err := stmt.Query(match(q))
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				b.Fatal(err)
			}
		}
		rows.Close()
		theirs = append(theirs, time.Since(t))
	}
	median := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2]) / float64(time.Microsecond)
	}
	o, f := median(ours), median(theirs)
	b.ReportMetric(o, "index-p50-µs")
	b.ReportMetric(f, "fts5-p50-µs")
	b.ReportMetric(o/f, "ratio")
}
