package index

import (
	"fmt"

	"github.com/avnbot/avnbot/knowledge"
)

// CheckSynonyms finds what the loader cannot see: terms of different groups
// that the analyzer reduces to the same words ("dangerous" and "danger"),
// and terms that reduce to nothing (punctuation only). The index would keep
// the first group's meaning and silently drop the other.
func CheckSynonyms(groups []knowledge.Synonyms) knowledge.Problems {
	c := newChain()
	var ps knowledge.Problems
	owner := map[string]int{}
	for i, g := range groups {
		for _, term := range g {
			key := joinStems(c.tokens(term))
			field := fmt.Sprintf("groups[%d]", i)
			if key == "" {
				ps = append(ps, knowledge.Problem{File: knowledge.SynonymsFile, Field: field,
					Msg: fmt.Sprintf("%q has no words the search can match; use words", term)})
				continue
			}
			if j, ok := owner[key]; ok && j != i {
				ps = append(ps, knowledge.Problem{File: knowledge.SynonymsFile, Field: field,
					Msg: fmt.Sprintf("%q means the same to the search as a term of groups[%d] (%q, %q); keep it in one group", term, j, key, groups[j][0])})
				continue
			}
			owner[key] = i
		}
	}
	return ps
}
