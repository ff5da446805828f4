package english

import (
	"strings"
	"testing"
)

func TestLevel(t *testing.T) {
	for _, c := range []struct {
		word           string
		isWord, common bool
		function       bool
		minLvl, maxLvl int
	}{
		{"time", true, true, false, 10, 10},
		{"the", true, true, true, 10, 10},
		{"swelling", true, true, false, 1, 50},
		{"spelling", true, true, false, 1, 50},
		{"radial", true, true, false, 20, 50},
		{"necrosis", true, true, false, 50, 50},
		{"avascular", true, false, false, 51, 95},
		{"swelin", false, false, false, 0, 0},
		{"", false, false, false, 0, 0},
	} {
		l, fn := Level(c.word)
		if l < c.minLvl || l > c.maxLvl || fn != c.function {
			t.Errorf("Level(%q) = %d, %v; want %d-%d, %v", c.word, l, fn, c.minLvl, c.maxLvl, c.function)
		}
		if IsWord(c.word) != c.isWord || IsCommon(c.word) != c.common {
			t.Errorf("%q: IsWord %v, IsCommon %v; want %v, %v", c.word, IsWord(c.word), IsCommon(c.word), c.isWord, c.common)
		}
	}
}

// TestCommon: the map of common words answers as the whole list does.
func TestCommon(t *testing.T) {
	e := loadEnglish()
	if n := len(e.common); n < 10000 || n > 20000 {
		t.Errorf("%d common words; want the 13,000 or so of sizes 10 and 20", n)
	}
	words := []string{"", "swelin", "zzz"}
	for i := range e.levels {
		words = append(words, e.word(i))
	}
	for _, w := range words {
		got, ok := e.common[w]
		if want := e.search(w); ok && got != want || !ok && want != 0 && want&^functionWord <= commonLevel {
			t.Fatalf("%q: common %d, %v; the list %d", w, got, ok, want)
		}
	}
}

// BenchmarkLevel looks up the words of typical messages, common and rare.
func BenchmarkLevel(b *testing.B) {
	words := strings.Fields("how long does a shockwave session take and will it hurt my hip has ached " +
		"for months i walk with a stick the physio says it is avn osteonecrosis avascular necrosis sesions")
	loadEnglish()
	for i := 0; b.Loop(); i++ {
		Level(words[i%len(words)])
	}
}
