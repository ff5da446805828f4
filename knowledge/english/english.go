// Package english is word statistics of general English, instead of word
// lists: how common a word is, and whether it is a function word. The
// index weighs words by them and corrects only words that are not English;
// triage tolerates a typo in a red-flag word only when it is no common
// English word ("spelling" is not "swelling", "fewer" is not "fever").
package english

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strconv"
	"strings"
	"sync"
)

// english.txt.gz holds every word of SCOWL up to size 95 with the smallest
// size level that holds it (gen.go made it; licences in LICENSE). The level is a
// commonness rank: 10 holds the thousand or so most common words ("time",
// "same", "only"), 35 "radial", 50 "necrosis", 80 "avascular", 95 the rarest. A word no
// level holds is a typo, a brand or a coinage. Common words that WordNet
// knows as neither noun, verb nor adjective are marked as function words
// ("the", "everyone", "really"): they name no topic.

//go:embed english.txt.gz
var englishGz []byte

// english is the parsed word list: words sorted, with their levels. The
// words are one string and their offsets, not a slice of strings: half a
// million pointers into one string would be scanned by every garbage
// collection of the process, for nothing (they were most of its heap).
type english struct {
	words  string   // the words, one after the other
	starts []uint32 // word i is words[starts[i]:starts[i+1]]; one more than the words
	levels []uint8  // the level; functionWord set for function words
	// common holds the levels of the words of sizes 10 and 20, the words
	// most text is made of, so that looking one up does not search all
	// 538,000: about 13,000 words, 0.5 MB.
	common map[string]uint8
}

// commonLevel is the largest level in english.common.
const commonLevel = 20

// functionWord marks a function word in english.levels.
const functionWord = 0x80

var loadEnglish = sync.OnceValue(func() *english {
	zr, err := gzip.NewReader(bytes.NewReader(englishGz))
	if err != nil {
		panic("english: english.txt.gz: " + err.Error()) // embedded at build time
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(zr); err != nil {
		panic("english: english.txt.gz: " + err.Error())
	}
	e := &english{}
	n := bytes.Count(buf.Bytes(), []byte("\n"))
	e.starts, e.levels = make([]uint32, 0, n+1), make([]uint8, 0, n)
	var words strings.Builder
	words.Grow(buf.Len() / 2)
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		w, lv, _ := strings.Cut(sc.Text(), " ")
		lv, fn := strings.CutSuffix(lv, " f")
		l, _ := strconv.Atoi(lv)
		if fn {
			l |= functionWord
		}
		e.starts = append(e.starts, uint32(words.Len()))
		words.WriteString(w)
		e.levels = append(e.levels, uint8(l))
	}
	e.starts = append(e.starts, uint32(words.Len()))
	e.words = words.String()
	e.common = map[string]uint8{}
	for i, l := range e.levels {
		if l&^functionWord <= commonLevel {
			e.common[e.word(i)] = l
		}
	}
	return e
})

// word is the i-th word.
func (e *english) word(i int) string { return e.words[e.starts[i]:e.starts[i+1]] }

// Level returns the SCOWL level of a lower-case word, or 0 when no level
// holds it, and whether it is a function word.
func Level(w string) (level int, function bool) {
	e := loadEnglish()
	l, ok := e.common[w]
	if !ok {
		l = e.search(w)
	}
	return int(l &^ functionWord), l&functionWord != 0
}

// search finds w among all the words: its level byte, or 0.
func (e *english) search(w string) uint8 {
	lo, hi := 0, len(e.levels)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e.word(m) < w {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(e.levels) && e.word(lo) == w {
		return e.levels[lo]
	}
	return 0
}

// IsWord reports whether w is a word of English (any level).
func IsWord(w string) bool {
	l, _ := Level(w)
	return l > 0
}

// InDictionary reports whether w is in a standard spelling dictionary: SCOWL
// sizes up to 60, the size of the usual en_US and en_GB spell-checker
// dictionaries. The larger sizes hold rare and archaic words ("pian",
// "wat") that are more often someone's typo.
func InDictionary(w string) bool {
	l, _ := Level(w)
	return l > 0 && l <= 60
}

// IsCommon reports whether w is a common word of English: one of the sizes
// up to 50, which hold the words most dictionaries hold.
func IsCommon(w string) bool {
	l, _ := Level(w)
	return l > 0 && l <= 50
}
