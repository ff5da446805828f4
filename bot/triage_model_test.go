package bot

import (
	"slices"
	"testing"

	"github.com/avnbot/avnbot/knowledge"
)

func TestAlarmFeatures(t *testing.T) {
	same := [][2]string{
		{"Réveiller", "reveiller"},
		{"I can't  breathe!", "i cant breathe"},
		{"ŻYĆ", "zyc"},
	}
	for _, c := range same {
		if a, b := alarmFeatures(c[0]), alarmFeatures(c[1]); !slices.Equal(a, b) {
			t.Errorf("%q and %q have different features", c[0], c[1])
		}
	}
	if fs := alarmFeatures(" ... "); len(fs) != 0 {
		t.Errorf("no words, %d features", len(fs))
	}
	for text, want := range map[string][]string{
		"I'm not suicidal, just tired":   {"im", "not", "SUICIDAL", "just", "tired"}, // a comma ends the scope
		"no face droop no slurring":      {"no", "FACE", "DROOP", "no", "SLURRING"},
		"never ever had chest pain here": {"never", "EVER", "HAD", "CHEST", "pain", "here"},
		"I can't breathe":                {"i", "cant", "breathe"}, // no denial
	} {
		if got := negatedWords(text); !slices.Equal(got, want) {
			t.Errorf("negatedWords(%q) = %q, want %q", text, got, want)
		}
	}
	fs := alarmFeatures("took all my pills")
	if !slices.IsSorted(fs) || len(slices.Compact(slices.Clone(fs))) != len(fs) {
		t.Error("features are not sorted and distinct")
	}
}

// TestWindows: a message of more than two sentences is also read in windows
// of two, each holding the features of both.
func TestWindows(t *testing.T) {
	got := sentences("My temp is 38.5 now. Hi all!\nwhat's next? ok; thanks ...")
	want := []string{"My temp is 38.5 now.", "Hi all!", "what's next?", "ok;", "thanks ..."}
	if !slices.Equal(got, want) {
		t.Errorf("sentences = %q, want %q", got, want)
	}
	if w := windowFeatures("one sentence. and two"); w != nil {
		t.Errorf("two sentences: %d windows, want none", len(w))
	}
	w := windowFeatures("first one. second one. third one")
	if len(w) != 2 {
		t.Fatalf("three sentences: %d windows, want 2", len(w))
	}
	// a window holds its sentences' features, each once, in any order
	want2 := slices.Compact(slices.Sorted(slices.Values(append(alarmFeatures("first one."), alarmFeatures("second one.")...))))
	if got := slices.Sorted(slices.Values(w[0])); !slices.Equal(got, want2) {
		t.Errorf("the first window holds %d features, want the %d distinct ones of its sentences", len(got), len(want2))
	}
	// marks start afresh for each window, however many came before
	for range 3 {
		if again := windowFeatures("first one. second one. third one"); !slices.Equal(slices.Sorted(slices.Values(again[0])), want2) {
			t.Fatal("a window read again holds other features")
		}
	}
}

func TestNaiveBayes(t *testing.T) {
	texts := []string{"my leg is cold and blue", "cold blue foot now", "how long is a session", "what does a session cost"}
	var fs [][]uint32
	for _, s := range texts {
		fs = append(fs, alarmFeatures(s))
	}
	m := trainNB(fs, []bool{true, true, false, false}, nil)
	if m.score(alarmFeatures("foot gone blue and cold")) <= 0 {
		t.Error("words of the emergencies do not count for one")
	}
	if m.score(alarmFeatures("how long does a session last")) >= 0 {
		t.Error("words of the ordinary messages do not count against one")
	}
	if s := m.score(alarmFeatures("zzqx")); s != 0 {
		t.Errorf("unseen features score %v, want 0", s)
	}
}

// TestAlarmHeldOut is the backstop's gate, measured the only honest way:
// each fifth of the examples is held out, the backstop is trained (and
// sets its threshold) on the rest, and the held-out fifth is checked.
func TestAlarmHeldOut(t *testing.T) {
	examples, err := readExamples(triageExamples)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := knowledge.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var phrasings []string
	for _, e := range kb.Entries {
		phrasings = append(phrasings, e.Phrasings()...)
	}
	var caught, urgent, alarms, ordinary, crisisRight, crisis int
	for k := range alarmFolds {
		var train, test []example
		for i, e := range examples {
			if i%alarmFolds == k {
				test = append(test, e)
			} else {
				train = append(train, e)
			}
		}
		m, err := trainAlarm(train, phrasings)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range test {
			al := m.check(e.Text)
			switch {
			case e.Urgent:
				urgent++
				if al.raised {
					caught++
					if e.Crisis {
						crisis++
						if al.crisis {
							crisisRight++
						}
					}
				}
			default:
				ordinary++
				if al.raised {
					alarms++
				}
			}
		}
	}
	recall, rate := float64(caught)/float64(urgent), float64(alarms)/float64(ordinary)
	t.Logf("held out: the backstop alone raises %d of %d emergencies (%.2f), crisis read as crisis %d of %d, and %d of %d ordinary messages (%.1f%%)",
		caught, urgent, recall, crisisRight, crisis, alarms, ordinary, 100*rate)
	if recall < 0.5 || rate > 0.02 || float64(crisisRight) < 0.9*float64(crisis) {
		t.Error("below the gate: recall 0.5, false alarms 2%, crisis 90%")
	}
}

// TestWithdraws: the backstop withdraws only weak alarms (a sign alone, no
// crisis) from a message that reads as more ordinary than any emergency held
// out.
func TestWithdraws(t *testing.T) {
	weak := knowledge.Flag{ID: "clot", Score: 1}
	tests := []struct {
		name  string
		score float64
		flags []knowledge.Flag
		want  bool
	}{
		{"weak, below the floor", -9, []knowledge.Flag{weak}, true},
		{"weak, at the floor", -8, []knowledge.Flag{weak}, false},
		{"a raising cue", -9, []knowledge.Flag{{ID: "clot", Score: 2}}, false},
		{"a crisis", -9, []knowledge.Flag{{ID: "self-harm", Crisis: true, Score: 1}}, false},
		{"a crisis beside a weak flag", -9, []knowledge.Flag{{ID: "self-harm", Crisis: true, Score: 1}, weak}, false},
		{"no flag", -9, nil, false},
	}
	for _, tt := range tests {
		al := alarm{score: tt.score, floor: -8}
		if got := al.withdraws(tt.flags); got != tt.want {
			t.Errorf("%s: withdraws = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestBalance: within a language, the class it has too few of is weighed up
// to the ratio of all the messages, at most maxBalance times; the other keeps
// weight 1.
func TestBalance(t *testing.T) {
	// English: 2 emergencies, 6 ordinary; Spanish: 3 emergencies, 1 ordinary;
	// Dutch: 1 emergency alone. Over all, 6 emergencies to 7 ordinary.
	pos := []bool{true, true, false, false, false, false, false, false, true, true, true, false, true}
	groups := []string{"en", "en", "en", "en", "en", "en", "en", "en", "es", "es", "es", "es", "nl"}
	w := balance(pos, groups)
	want := []float32{
		18.0 / 7, 18.0 / 7, 1, 1, 1, 1, 1, 1, // English: 2 emergencies weigh 36/7 against 6, as 6 to 7
		1, 1, 1, 3.5, // Spanish: the ordinary message weighs 3.5 against 3, as 7 to 6
		1, // a class alone in its language is not weighed
	}
	for i := range w {
		if d := w[i] - want[i]; d > 0.01 || d < -0.01 {
			t.Errorf("weight %d (%s, emergency %v) = %.2f, want %.2f", i, groups[i], pos[i], w[i], want[i])
		}
	}
	// Spanish: 10 emergencies and 1 ordinary message, which would need to
	// weigh 19: it weighs maxBalance.
	pos, groups = []bool{true}, []string{"en"}
	for range 20 {
		pos, groups = append(pos, false), append(groups, "en")
	}
	for range 10 {
		pos, groups = append(pos, true), append(groups, "es")
	}
	pos, groups = append(pos, false), append(groups, "es")
	if w := balance(pos, groups); w[len(w)-1] != maxBalance || w[len(w)-2] != 1 {
		t.Errorf("Spanish weights %v, %v; want %v, 1", w[len(w)-1], w[len(w)-2], maxBalance)
	}
	for _, x := range balance(pos, nil) {
		if x != 1 {
			t.Fatalf("without groups, weight %v", x)
		}
	}
}
