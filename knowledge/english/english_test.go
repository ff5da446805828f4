package english

import "testing"

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
