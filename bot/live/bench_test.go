package live

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/avnbot/avnbot/knowledge"
)

// medquadFAQ is MedQuAD (NIH question–answer pairs), relative to this
// package in a checkout beside shared/ (see SOURCE.md there), or where
// AVNBOT_MEDQUAD names it. It is not part of the repository: the benchmark
// skips when it is absent.
const medquadFAQ = "../../../shared/eval/external/liveqa-med-medquad/faq.jsonl.gz"

// BenchmarkReload times a reload that changes one entry, from reading the
// directory to the new assistant serving (load, lint, golden questions,
// index, training), and one that finds nothing changed (read and hash).
func BenchmarkReload(b *testing.B) {
	b.Run("embedded", func(b *testing.B) {
		dir := knowledgeDir(b)
		benchReload(b, dir, "faq/session-length.md")
	})
	// The largest FAQ the loader allows.
	b.Run(fmt.Sprintf("medquad-%d", knowledge.MaxEntries), func(b *testing.B) {
		dir := medquadDir(b, knowledge.MaxEntries)
		benchReload(b, dir, "faq/mq-0.md")
	})
	// 5,000 entries are over the loader's cap: the reload is refused and
	// the 2,000 live entries stay. This times the refusal.
	b.Run("medquad-5000-refused", func(b *testing.B) {
		dir := medquadDir(b, 5000)
		aside := b.TempDir()
		for i := knowledge.MaxEntries; i < 5000; i++ {
			name := fmt.Sprintf("mq-%d.md", i)
			if err := os.Rename(filepath.Join(dir, "faq", name), filepath.Join(aside, name)); err != nil {
				b.Fatal(err)
			}
		}
		a, err := New(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer a.Close()
		for i := knowledge.MaxEntries; i < 5000; i++ {
			name := fmt.Sprintf("mq-%d.md", i)
			os.Rename(filepath.Join(aside, name), filepath.Join(dir, "faq", name))
		}
		for b.Loop() {
			if r := a.Reload(context.Background()); r.OK() || len(r.Problems) == 0 {
				b.Fatalf("reload of 5,000 entries: %v", r)
			}
		}
	})
}

func benchReload(b *testing.B, dir, entry string) {
	a, err := New(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	before := read(b, dir, entry)
	after := reviewed.ReplaceAllString(before, "reviewed: 2020-01-01") // an edit that changes nothing else
	if after == before {
		b.Fatalf("%s has no reviewed date to edit", entry)
	}
	b.Run("changed", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			data := before
			if i%2 == 0 {
				data = after
			}
			save(b, dir, entry, data)
			b.StartTimer()
			if r := a.Reload(ctx); !r.OK() || r.Unchanged {
				b.Fatalf("reload: %v", r)
			}
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			if r := a.Reload(ctx); !r.OK() || !r.Unchanged {
				b.Fatalf("reload: %v", r)
			}
		}
	})
}

var reviewed = regexp.MustCompile(`reviewed: \d{4}-\d{2}-\d{2}`)

// medquadDir writes a knowledge directory of the first n MedQuAD pairs
// with an answer and a question of their own: each entry cites the first
// sentences of its answer from a source holding 50 answers, beside the
// embedded synonyms and safety texts.
func medquadDir(b *testing.B, n int) string {
	b.Helper()
	name := medquadFAQ
	if env := os.Getenv("AVNBOT_MEDQUAD"); env != "" {
		name = env
	}
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		b.Skipf("%s is absent (set AVNBOT_MEDQUAD to its path); skipping the MedQuAD reload benchmark", name)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for _, d := range []string{"faq", "sources"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	for _, name := range []string{knowledge.SynonymsFile, knowledge.SafetyFile} {
		data, err := fs.ReadFile(knowledge.EmbeddedFS(), name)
		if err != nil {
			b.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	q := func(s string) string { j, _ := json.Marshal(s); return string(j) }
	var source strings.Builder
	flush := func(k int) {
		if source.Len() > 0 {
			os.WriteFile(filepath.Join(dir, "sources", fmt.Sprintf("mq-src-%d.md", k)),
				[]byte("---\nid: mq-src-"+fmt.Sprint(k)+"\ntitle: MedQuAD part "+fmt.Sprint(k)+"\n---\n"+source.String()), 0o644)
			source.Reset()
		}
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	k := 0
	for sc.Scan() && k < n {
		var r struct{ Question, Answer string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			b.Fatal(err)
		}
		answer := strings.Join(strings.Fields(r.Answer), " ")
		key := strings.Join(strings.FieldsFunc(strings.ToLower(r.Question), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }), " ")
		if len(answer) < 40 || key == "" || seen[key] {
			continue
		}
		seen[key] = true
		answer = cut(answer, knowledge.MaxAnswer)
		quote := cut(answer, 300)
		source.WriteString(answer + "\n\n")
		id := fmt.Sprintf("mq-%d", k)
		entry := "---\nid: " + id + "\nquestion: " + q(strings.TrimSpace(r.Question)) +
			"\ncitations:\n  - source: mq-src-" + fmt.Sprint(k/50) + "\n    quote: " + q(quote) +
			"\nreviewed: 2026-11-25\n---\n" + answer + "\n"
		os.WriteFile(filepath.Join(dir, "faq", id+".md"), []byte(entry), 0o644)
		k++
		if k%50 == 0 {
			flush(k/50 - 1)
		}
	}
	flush(k / 50)
	if k < n {
		b.Fatalf("only %d usable MedQuAD pairs", k)
	}
	return dir
}

// cut shortens s to at most n bytes at a word boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		s = s[:i]
	}
	return strings.ToValidUTF8(s, "")
}
