package index

import (
	"strings"
	"testing"

	"github.com/avnbot/avnbot/knowledge"
)

func TestCheckSynonyms(t *testing.T) {
	ps := CheckSynonyms([]knowledge.Synonyms{{"danger", "risk"}, {"dangerous", "hazard"}, {"--", "it"}})
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{`"dangerous" means the same to the search as a term of groups[0]`, `"--" has no words the search can match`} {
		if !strings.Contains(all, want) {
			t.Errorf("CheckSynonyms problems lack %q; got:\n%s", want, all)
		}
	}
}

func TestEmbeddedSynonymsAreClean(t *testing.T) {
	kb, err := knowledge.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range CheckSynonyms(kb.Synonyms) {
		t.Error(p)
	}
}
