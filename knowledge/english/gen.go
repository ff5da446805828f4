//go:build ignore

// gen_english writes english.txt.gz: every word of SCOWL (Spell-Checker
// Oriented Word Lists) up to size 95, lower case, with the smallest size level
// that holds it. The level is a commonness rank: 10 holds the most common
// words ("time", "same", "only"), 35 "radial", 50 "necrosis", 80 "avascular", 95 the rarest.
// The index weighs a word by it and corrects only words that are not in it.
//
// A common word (up to level 35) that WordNet knows neither as a noun, a
// verb nor an adjective, in any inflection, is marked "f": a function word
// ("the", "everyone", "really", "hey"), which names no topic. So is a word
// of the standard stop list (Lucene's and Snowball's, as bleve ships it)
// that WordNet knows neither as an adjective nor an adverb: "me", "it" and
// "us" are nouns to WordNet only as abbreviations, while "not", "after",
// "same" and "few" modify what they qualify and keep their weight.
//
// SCOWL comes from Debian's scowl package, WordNet from wordnet-base
// (apt-get install scowl wordnet-base); their licences are in
// LICENSE. Run from this directory:
//
//	go run gen.go
package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
)

const dir = "/usr/share/dict/scowl"

// Spellings of English: the general list, the American, British (-ise and
// -ize) and Canadian ones, and the common variants ("anaesthetise").
var lists = []string{"english", "american", "british", "british_z", "canadian", "variant_1", "variant_2"}

// Kinds of list: words, and words that start with a capital (names of
// things: "Medicare", "Tylenol"). Proper names of people are left out.
var kinds = []string{"words", "upper", "abbreviations", "contractions"}

func main() {
	level := map[string]int{}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		log.Fatalf("no SCOWL lists in %s: apt-get install scowl", dir)
	}
	for _, f := range files {
		base := filepath.Base(f)
		name, lv, ok := strings.Cut(base, ".")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(lv)
		if err != nil || !wanted(name) {
			continue
		}
		if err := read(f, n, level, strings.HasSuffix(name, "-words")); err != nil {
			log.Fatal(err)
		}
	}
	content := wordnet()
	modifiers := wordnetPOS("adj", "adv")
	stops := analysis.NewTokenMap()
	if err := stops.LoadBytes(en.EnglishStopWords); err != nil {
		log.Fatal(err)
	}
	words := make([]string, 0, len(level))
	for w := range level {
		words = append(words, w)
	}
	slices.Sort(words)
	out, err := os.Create("english.txt.gz")
	if err != nil {
		log.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(out, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	var nf int
	for _, w := range words {
		mark := ""
		_, stop := stops[w]
		if level[w] <= 35 && lower[w] && !strings.HasSuffix(w, "'s") && !isContent(w, content) ||
			stop && !modifiers[w] {
			mark = " f"
			nf++
		}
		fmt.Fprintf(bw, "%s %d%s\n", w, level[w], mark)
	}
	if err := bw.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("english.txt.gz: %d words, %d function words", len(words), nf)
}

// lower holds the words that come from lists of lower-case words (not names).
var lower = map[string]bool{}

const wordnetDir = "/usr/share/wordnet"

// wordnet returns WordNet's nouns, verbs and adjectives, and the base forms
// of its irregular inflections ("children" → "child").
func wordnet() map[string][]string {
	m := map[string][]string{}
	for _, pos := range []string{"noun", "verb", "adj"} {
		f, err := os.Open(filepath.Join(wordnetDir, "index."+pos))
		if err != nil {
			log.Fatalf("%v: apt-get install wordnet-base", err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if l := sc.Text(); !strings.HasPrefix(l, " ") {
				w, _, _ := strings.Cut(l, " ")
				m[w] = nil
			}
		}
		f.Close()
		f, err = os.Open(filepath.Join(wordnetDir, pos+".exc"))
		if err != nil {
			log.Fatal(err)
		}
		sc = bufio.NewScanner(f)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) > 1 {
				m["exc:"+fs[0]] = append(m["exc:"+fs[0]], fs[1:]...)
			}
		}
		f.Close()
	}
	return m
}

// wordnetPOS returns the lemmas of the given parts of speech.
func wordnetPOS(pos ...string) map[string]bool {
	m := map[string]bool{}
	for _, p := range pos {
		f, err := os.Open(filepath.Join(wordnetDir, "index."+p))
		if err != nil {
			log.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if l := sc.Text(); !strings.HasPrefix(l, " ") {
				w, _, _ := strings.Cut(l, " ")
				m[w] = true
			}
		}
		f.Close()
	}
	return m
}

// morphy's detachment rules: an inflected ending and what replaces it.
var detach = [][2]string{{"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"},
	{"men", "man"}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""},
	{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}}

// isContent reports whether w, or a base form of it, is a WordNet noun,
// verb or adjective.
func isContent(w string, m map[string][]string) bool {
	if _, ok := m[w]; ok {
		return true
	}
	for _, b := range m["exc:"+w] {
		if _, ok := m[b]; ok {
			return true
		}
	}
	for _, d := range detach {
		if base, ok := strings.CutSuffix(w, d[0]); ok {
			if _, ok := m[base+d[1]]; ok && base != "" {
				return true
			}
			// a doubled consonant: "stopped", "running"
			if n := len(base); n > 2 && base[n-1] == base[n-2] && (d[0] == "ed" || d[0] == "ing" || d[0] == "er" || d[0] == "est") {
				if _, ok := m[base[:n-1]]; ok {
					return true
				}
			}
		}
	}
	return false
}

func wanted(name string) bool {
	for _, l := range lists {
		for _, k := range kinds {
			if name == l+"-"+k {
				return true
			}
		}
	}
	return false
}

// read adds the words of one list, lower case, letters and apostrophes only
// (SCOWL's files are in UTF-8 since version 2019).
func read(path string, n int, level map[string]int, isLower bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := strings.ToLower(strings.TrimSpace(sc.Text()))
		if w == "" || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) >= 0 {
			continue
		}
		if old, ok := level[w]; !ok || n < old {
			level[w] = n
		}
		if isLower {
			lower[w] = true
		}
	}
	return sc.Err()
}
