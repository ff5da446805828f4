package knowledge

import (
	"cmp"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Size caps, generous for a real FAQ, that keep a runaway file (say, a
// generated list of 200,000 alternates) from passing lint and then taking
// minutes and gigabytes to index at start-up.
const (
	MaxEntries    = 2000      // FAQ entries in faq/
	MaxAlternates = 50        // alternates per entry
	MaxFileSize   = 256 << 10 // bytes per file; larger files are not read
)

// capped is a knowledge directory whose files over MaxFileSize cannot be
// read: the loaders report them with the error's message, and never hold
// them in memory.
type capped struct{ fs.FS }

// errTooLarge is the error reading a file over MaxFileSize.
type errTooLarge int64

func (e errTooLarge) Error() string {
	return fmt.Sprintf("it is %d KiB and a knowledge file may be at most %d KiB; split it or shorten it", (int64(e)+1023)>>10, MaxFileSize>>10)
}

func (c capped) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && !st.IsDir() && st.Size() > MaxFileSize {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errTooLarge(st.Size())}
	}
	return f, nil
}

// checkSize reports more entries, or alternates in an entry, than the caps.
func checkSize(b *Base, ps *Problems) {
	if n := len(b.Entries); n > MaxEntries {
		*ps = append(*ps, Problem{File: FAQDir, Msg: fmt.Sprintf("%d entries; the FAQ may hold at most %d: merge entries that answer the same question", n, MaxEntries)})
	}
	for _, e := range b.Entries {
		if n := len(e.Alternates); n > MaxAlternates {
			field := "alternates[" + strconv.Itoa(MaxAlternates) + "]"
			*ps = append(*ps, Problem{File: e.File, Line: e.pos[field], Field: "alternates",
				Msg: fmt.Sprintf("%d alternates; an entry may have at most %d: keep the ones patients really write (lay words, spellings), drop near-repeats", n, MaxAlternates)})
		}
	}
}

// validate checks what spans files: unique ids and phrasings, known sources,
// verbatim quotes. name gives a file's path as problems show it.
//
// When two files share an id or a phrasing, the problem is reported on the
// one that comes second in this order, and names the first: entries by
// their reviewed date, earliest first (the entry that was there before
// keeps what it has), then by file name; sources by file name. So a newly
// added or newly reviewed entry is the one asked to change.
func validate(b *Base, ps *Problems, name func(string) string) {
	checkSize(b, ps)
	sources := map[string]Source{}
	for _, s := range b.Sources { // Load reads them in file name order
		if prev, ok := sources[s.ID]; ok {
			*ps = append(*ps, Problem{File: s.File, Line: 2, Field: "id", Msg: "id " + strconv.Quote(s.ID) + " is already the id of " + name(prev.File) + ", which comes first by file name; ids must be unique, so give this source another id"})
			continue
		}
		sources[s.ID] = s
	}
	words := map[string][]word{}
	for id, s := range sources {
		words[id] = sourceWords(s.Text, s.line)
	}

	entries := slices.Clone(b.Entries)
	slices.SortStableFunc(entries, func(x, y Entry) int {
		return cmp.Or(cmp.Compare(reviewOrder(x), reviewOrder(y)), cmp.Compare(x.File, y.File))
	})
	ids := map[string]Entry{}
	phrasings := map[string]string{} // folded phrasing → "file:line (field)"
	for _, e := range entries {
		if prev, ok := ids[e.ID]; ok {
			*ps = append(*ps, Problem{File: e.File, Line: e.pos["id"], Field: "id", Msg: "id " + strconv.Quote(e.ID) + " is already the id of " + at(name(prev.File), prev.pos["id"]) + ", which comes first (" + whyFirst(prev, e) + "); ids must be unique, so give this entry another id"})
		} else {
			ids[e.ID] = e
		}
		for i, p := range e.Phrasings() {
			field := "question"
			if i > 0 {
				field = "alternates[" + strconv.Itoa(i-1) + "]"
			}
			key := fold(p)
			if key == "" {
				continue
			}
			if prev, ok := phrasings[key]; ok {
				*ps = append(*ps, Problem{File: e.File, Line: e.pos[field], Field: field, Msg: strconv.Quote(p) + " is already a phrasing in " + prev + "; a phrasing may lead to one entry only, so remove or reword it here"})
				continue
			}
			phrasings[key] = at(name(e.File), e.pos[field]) + " (" + field + ")"
		}
	}
	for _, e := range b.Entries {
		for i, c := range e.Citations {
			field := "citations[" + strconv.Itoa(i) + "]"
			s, ok := sources[c.Source]
			switch {
			case !ok:
				*ps = append(*ps, Problem{File: e.File, Line: e.pos[field+".source"], Field: field + ".source", Msg: "unknown source " + strconv.Quote(c.Source) + "; use one of: " + strings.Join(sourceIDs(b), ", ")})
			case !strings.Contains(Normalize(s.Text), Normalize(c.Quote)):
				*ps = append(*ps, Problem{File: e.File, Line: e.pos[field+".quote"], Field: field + ".quote", Msg: "not found verbatim in source " + strconv.Quote(c.Source) + nearestPassage(words[c.Source], c.Quote, name(s.File)) + "; copy the words exactly from the source file (quote marks and line breaks may differ)"})
			case len([]rune(c.Quote)) > MaxQuote:
				*ps = append(*ps, Problem{File: e.File, Line: e.pos[field+".quote"], Field: field + ".quote", Msg: "the quote is " + strconv.Itoa(len([]rune(c.Quote))) + " characters; keep it within " + strconv.Itoa(MaxQuote) + " by quoting the sentence that matters"})
			}
		}
	}
}

// reviewOrder sorts entries by their reviewed date; one without a valid
// date comes last.
func reviewOrder(e Entry) string {
	if datePattern.MatchString(e.Reviewed) {
		return e.Reviewed
	}
	return "9999-99-99"
}

func whyFirst(first, second Entry) string {
	if reviewOrder(first) < reviewOrder(second) {
		return "reviewed earlier"
	}
	return "reviewed the same day, and first by file name"
}

// at is a position an editor can jump to.
func at(file string, line int) string {
	if line > 0 {
		return file + ":" + strconv.Itoa(line)
	}
	return file
}

func sourceIDs(b *Base) []string {
	var out []string
	for _, s := range b.Sources {
		out = append(out, s.ID)
	}
	if len(out) == 0 {
		return []string{"(no sources loaded)"}
	}
	return out
}

// fold reduces a phrasing to lower-case letters and digits separated by
// single spaces, so that phrasings differing in case or punctuation compare equal.
func fold(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}), " ")
}
