package knowledge

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"sync"
)

// english-words.gz lists English words of four letters or more (SCOWL,
// sizes 10-50; see dict/gen.sh and dict/COPYING.scowl). Triage tolerates a
// typo in a red-flag word, but never takes a real word for one: "spelling"
// is not "swelling", "fewer" is not "fever".
//
//go:embed dict/english-words.gz
var englishGz []byte

var english = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, 66000)
	zr, err := gzip.NewReader(bytes.NewReader(englishGz))
	if err != nil {
		return m // typos are then tolerated less carefully, never fatally
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		m[sc.Text()] = true
	}
	return m
})
