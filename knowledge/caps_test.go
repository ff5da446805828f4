package knowledge

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// entryWith is goodEntry with n alternates and the given id.
func entryWith(id string, n int) string {
	var alts strings.Builder
	for i := range n {
		fmt.Fprintf(&alts, "  - test phrasing number %d of %s\n", i, id)
	}
	e := strings.Replace(goodEntry, "id: test-entry", "id: "+id, 1)
	e = strings.Replace(e, "question: Is this a test question?", "question: Is this test question "+id+"?", 1)
	return strings.Replace(e, "  - a test phrasing nobody else uses\n", alts.String(), 1)
}

func TestSizeCaps(t *testing.T) {
	t.Run("alternates", func(t *testing.T) {
		m := baseFS(t)
		m["faq/many.md"] = &fstest.MapFile{Data: []byte(entryWith("many", MaxAlternates+1))}
		ps := problemsOf(t, m)
		// The 51st alternate (alternates[50]) is on line 5 + 50: "---", id, question, "alternates:" come first.
		want := fmt.Sprintf("faq/many.md:%d: alternates: %d alternates; an entry may have at most %d", 5+MaxAlternates, MaxAlternates+1, MaxAlternates)
		if len(ps) != 1 || !strings.HasPrefix(ps[0].String(), want) {
			t.Errorf("problems = %v, want one starting %q", ps, want)
		}
		m["faq/many.md"] = &fstest.MapFile{Data: []byte(entryWith("many", MaxAlternates))}
		if _, err := Load(m); err != nil {
			t.Errorf("%d alternates: %v", MaxAlternates, err)
		}
	})
	t.Run("file size", func(t *testing.T) {
		m := baseFS(t)
		big := entryWith("big", 1) + strings.Repeat("Words of a very long answer. ", MaxFileSize/29+1)
		m["faq/big.md"] = &fstest.MapFile{Data: []byte(big)}
		ps := problemsOf(t, m)
		if len(ps) != 1 || ps[0].File != "faq/big.md" || !strings.Contains(ps[0].Msg, "at most 256 KiB") {
			t.Errorf("problems = %v, want faq/big.md over 256 KiB", ps)
		}
	})
	t.Run("entries", func(t *testing.T) {
		m := baseFS(t)
		have := 0
		for p := range m {
			if strings.HasPrefix(p, FAQDir+"/") {
				have++
			}
		}
		for i := range MaxEntries + 1 - have {
			id := fmt.Sprintf("cap-%d", i)
			m["faq/"+id+".md"] = &fstest.MapFile{Data: []byte(entryWith(id, 0))}
		}
		ps := problemsOf(t, m)
		want := fmt.Sprintf("faq: %d entries; the FAQ may hold at most %d", MaxEntries+1, MaxEntries)
		if len(ps) != 1 || !strings.HasPrefix(ps[0].String(), want) {
			t.Errorf("problems = %v, want one starting %q", ps[:min(len(ps), 3)].Error(), want)
		}
	})
}
