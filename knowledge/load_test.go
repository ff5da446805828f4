package knowledge

import "testing"

func TestEmbeddedLoads(t *testing.T) {
	b, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Entries) == 0 || len(b.Sources) == 0 || len(b.Safety.RedFlags) == 0 || len(b.Synonyms) == 0 {
		t.Fatalf("embedded knowledge is incomplete: %d entries, %d sources, %d red flags, %d synonym groups",
			len(b.Entries), len(b.Sources), len(b.Safety.RedFlags), len(b.Synonyms))
	}
}
