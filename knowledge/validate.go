package knowledge

import (
	"fmt"
	"io/fs"
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
// verbatim quotes.
func validate(b *Base, ps *Problems) {
	checkSize(b, ps)
	sources := map[string]Source{}
	for _, s := range b.Sources {
		if prev, ok := sources[s.ID]; ok {
			*ps = append(*ps, Problem{File: s.File, Line: 2, Field: "id", Msg: "id " + strconv.Quote(s.ID) + " is also used by " + prev.File + "; ids must be unique"})
			continue
		}
		sources[s.ID] = s
	}
	normSources := map[string]string{}
	for id, s := range sources {
		normSources[id] = Normalize(s.Text)
	}

	ids := map[string]string{}
	phrasings := map[string]string{} // folded phrasing → "file (field)"
	for _, e := range b.Entries {
		if prev, ok := ids[e.ID]; ok {
			*ps = append(*ps, Problem{File: e.File, Line: e.pos["id"], Field: "id", Msg: "id " + strconv.Quote(e.ID) + " is also used by " + prev + "; ids must be unique"})
		} else {
			ids[e.ID] = e.File
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
				*ps = append(*ps, Problem{File: e.File, Line: e.pos[field], Field: field, Msg: strconv.Quote(p) + " is already a phrasing in " + prev + "; a phrasing may lead to one entry only, so remove or reword one of them"})
				continue
			}
			phrasings[key] = e.File + " (" + field + ")"
		}
		for i, c := range e.Citations {
			field := "citations[" + strconv.Itoa(i) + "]"
			text, ok := normSources[c.Source]
			switch {
			case !ok:
				*ps = append(*ps, Problem{File: e.File, Line: e.pos[field+".source"], Field: field + ".source", Msg: "unknown source " + strconv.Quote(c.Source) + "; use one of: " + strings.Join(sourceIDs(b), ", ")})
			case !strings.Contains(text, Normalize(c.Quote)):
				*ps = append(*ps, Problem{File: e.File, Line: e.pos[field+".quote"], Field: field + ".quote", Msg: "not found verbatim in source " + strconv.Quote(c.Source) + near(text, Normalize(c.Quote)) + "; copy the words exactly from the source file"})
			case len([]rune(c.Quote)) > MaxQuote:
				*ps = append(*ps, Problem{File: e.File, Line: e.pos[field+".quote"], Field: field + ".quote", Msg: "the quote is " + strconv.Itoa(len([]rune(c.Quote))) + " characters; keep it within " + strconv.Itoa(MaxQuote) + " by quoting the sentence that matters"})
			}
		}
	}
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

// near says where a quote stops matching its source, to help fix a typo.
func near(source, quote string) string {
	best := 0
	for i := 0; i < len(source); i++ {
		n := 0
		for n < len(quote) && i+n < len(source) && source[i+n] == quote[n] {
			n++
		}
		best = max(best, n)
	}
	if best < 8 || best >= len(quote) {
		return ""
	}
	cut := quote[best:]
	if len(cut) > 30 {
		cut = cut[:30]
	}
	return " (it matches the source up to " + strconv.Quote(strings.ToValidUTF8(cut, "")) + ")"
}

// fold reduces a phrasing to lower-case letters and digits separated by
// single spaces, so that phrasings differing in case or punctuation compare equal.
func fold(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}), " ")
}
