package knowledge

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

func embeddedSafety(t *testing.T) Safety {
	t.Helper()
	b, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return b.Safety
}

// TestCheckMechanisms: the mechanisms of the matcher, one case each. (The
// message banks that measure triage are in bot/testdata.)
func TestCheckMechanisms(t *testing.T) {
	s := embeddedSafety(t)
	tests := []struct {
		text string
		flag string // "" for none
	}{
		{"my calf is swolen and tender", "clot"},                                    // a typo of a long word
		{"CAN'T BREATHE", "breathing-chest"},                                        // case and apostrophes
		{"quero correr de novo", ""},                                                // a typo keeps the first letter: correr is not morrer
		{"fewer sessions for me then", ""},                                          // a real word is no typo: fewer is not fever
		{"je pense à me suicider", "self-harm"},                                     // accents folded
		{"j'ai envie d'en finir", "self-harm"},                                      // French elision
		{"I had a stroke in 2015, can I have shockwave?", ""},                       // a past cue in the clause
		{"Years ago, I had a stroke", ""},                                           // a past cue framing the sentence
		{"My calf is swollen and red, I had a DVT years ago", "clot"},               // the cue is in another clause
		{"I had a DVT years ago and now my calf is swollen", "clot"},                // "and now" starts a clause
		{"I had an accident 2 months ago. I saw a lot of blood.", ""},               // a time frame carries to a sentence in the past
		{"I had an accident 2 months ago. My leg is bleeding heavily.", "bleeding"}, // not to one in the present
		{"what if I suddenly can't walk after the treatment?", ""},                  // a hypothetical outweighs a raise
		{"will a long flight give me a DVT?", ""},                                   // ^ will: a question
		{"I took 25 iron pills", "overdose"},                                        // <many>
		{"I took 2 paracetamol this morning", ""},
		{"she took 4 zopiclone", "overdose"}, // <several>, of a sedative (a medicine by its class)
		{"she took 2 zopiclone", ""},
		{"Will's done and the passwords are with my brother, I feel at peace", "self-harm"}, // a modal takes no 's: "will's" asks nothing
		{"I want to kill myself and my leg is numb", "self-harm"},
		{"I can't go on like this", "self-harm"}, // $ : the end of a clause
		{"I can't go on holiday because of my hip", ""},
		{"my MRI shows the femoral head has collapsed", ""}, // AVN's own word
		{"my dad collapsed in the kitchen", "confusion"},
		{"she collapsed suddenly", "confusion"},   // a <concept> among alternatives // crisis first
		{"no fever, no swelling, just stiff", ""}, // a negation before a sign
		{"never had a seizure", ""},               // ... reaching over negation-passes
		{"my calf isn't swollen or red", ""},      // ... and over "or"
		{"no lip swelling, the rash is pink", ""}, // a negation of a noun reaches over its phrase
		{"no idea why my lip is swelling, the rash is spreading", "allergy"},
		{"she's not breathing", "confusion"},                                // a negation that is the sign's own
		{"I don't know why my face is drooping", "stroke"},                  // a negation that reaches no sign
		{"never had chest pain like this", "breathing-chest"},               // negation-void: a comparison
		{"I don't have a reason to live", "self-harm"},                      // before a crisis sign, only right before it
		{"I don't self harm", ""},                                           // ... as here
		{"my calf is swollen and it isn't getting better", "clot"},          // a negated cue does not count
		{"my aunt had a stroke years ago and she's now living with us", ""}, // "and" before a subject starts a clause
		{"tengo fiebre y la herida supura", "infection"},                    // concepts in other languages
		{"¿la fiebre es un efecto secundario de las ondas de choque?", ""},  // ... and cues
		{"choking on the cost of the sessions", ""},                         // a price
		{"if it fails I want to die", "self-harm"},                          // a conditional does not lower a crisis
		{"if you feel suicidal, who do you call?", ""},                      // a hypothetical does
		{"alle wären ohne mich besser dran", "self-harm"},                   // crisis in other languages, either order
		{"me he vuelto a cortar, otra vez", "self-harm"},
		{"walking is impossible since this morning", "severe-pain"},
		{"ich moechte nicht mehr leben", "self-harm"}, // German typed without umlauts
		// A + B within one sentence, farther apart than 16 words
		{"I fell over in the garden this afternoon while I was hanging the washing out on the line and I still cannot get back up", "fall"},
		{"I fell over in the garden. I was hanging the washing out on the line and hours later I cannot get my hands warm, hard to get up", ""},
		{"she lost her keys again. blood test is at nine", ""},                                                      // a gap stays in its sentence
		{"that quiz show is giving me a stroke 😂", ""},                                                              // laughter is an idiom's mark
		{"zero fever since the session", ""},                                                                        // zero negates
		{"fell off my bike on 3 June 2019 and could not get up", ""},                                                // a year alone is the past
		{"je ne peux plus marcher du tout depuis ce matin", "severe-pain"},                                          // <walk> and <atall> in other languages
		{"does a cold foot after a long walk count as a circulation problem?", ""},                                  // a question of definition
		{"would you tell me to call 999 if I said my face was drooping?", ""},                                       // what if I said
		{"my poo has been black since I started taking naproxen", "bleeding"},                                       // melena with an NSAID
		{"my calf swelled up after the long flight. The scan was clear and it went away", ""},                       // an outcome in the next sentence
		{"my calf swelled up after the long flight and is red. It went away once before", "clot"},                   // not of a sign in the present
		{"checked my poo, not black at all, I take naproxen", ""},                                                   // a gap never skips a negation
		{"I had my op in 2019. Now my friends are away and I am not. I keep thinking about ending it", "self-harm"}, // a time frame carries no further than a sentence in the present
		{"My friends are all at uni. I keep thinking about ending it", "self-harm"},                                 // nor from a clause in the present
		{"I had my op in 2019. I keep thinking about the stroke I had", ""},                                         // but from one in the past
		{"back in 2019 I went to A&E with a nosebleed that would not stop", ""},                                     // a timeless cue raises no sign in the past
		{"I am in A&E with a nosebleed that would not stop", "bleeding"},
		{"temp of 39,2 and shivering", "infection"},        // <temp>: a decimal comma is one number
		{"running 102.5 since last night", "infection"},    // ... and Fahrenheit
		{"temp is normal (36.8), the incision is dry", ""}, // a temperature below a fever's
		{"it's 30 degrees outside and my hip aches", ""},   // not a body's
		{"I was at 38.9 last night, is that an infection? Hip is hot", "infection"},
		{"is this normal for the toes after ESWT? they have gone numb and blue since lunch", "limb"}, // a question, then a report
		{"what are the signs of a clot? I have a long flight next week", ""},                         // ... not a who alone
		{"no consigo apoyar el pie desde esta mañana", "severe-pain"},                                // <bearweight> in the seven languages
		{"my 3yo swallowed some dettol", "overdose"},                                                 // <youngster> of an age, a household product
		{"Fever? No. Short of breath? Nope, just anxious", ""},                                       // a question answered no
		{"Fever? Yes, 39.4. Short of breath? No.", "infection"},                                      // only the question right before the answer
		{"Should I just end it all? No.", "self-harm"},                                               // never a crisis
	}
	for _, tt := range tests {
		got := s.Check(tt.text)
		id := ""
		if got.Urgent() {
			id = got.Flags[0].ID
		}
		if id != tt.flag {
			t.Errorf("Check(%q) = %q, want %q (flags %+v)", tt.text, id, tt.flag, got.Flags)
		}
	}
	if !s.Check("I want to kill myself").Crisis() {
		t.Error("a crisis flag gives no crisis")
	}
	if s.Check("Combien de séances faut-il pour la hanche ?").Foreign != true {
		t.Error("a French question does not read as foreign")
	}
	if s.Check("how long does a shockwave session take?").Foreign {
		t.Error("an English question reads as foreign")
	}
	for text, want := range map[string]string{
		"how long does a shockwave session take?":     "en",
		"¿Puedo cambiar la fecha de mi sesión?":       "es",
		"Ich habe eine Frage zu der Therapie":         "de",
		"Czy to jest normalne, że mnie boli?":         "pl",
		"Hoe lang duurt een sessie met de schokgolf?": "nl",
	} {
		if got := Language(text); got != want {
			t.Errorf("Language(%q) = %q, want %q", text, got, want)
		}
	}
}

// TestCheckSpan: Start and End cover the clauses of the emergency only.
func TestCheckSpan(t *testing.T) {
	s := embeddedSafety(t)
	text := "my calf is swollen and hot, how long is a session?"
	f := s.Check(text).Flags
	if len(f) == 0 {
		t.Fatal("no flag")
	}
	if got := text[f[0].Start:f[0].End]; strings.Contains(got, "session") || !strings.Contains(got, "calf") {
		t.Errorf("span %q, want the clause about the calf only", got)
	}
}

// TestTriageLint: a red-flag edit that breaks triage fails to load, with
// the file, line and what to fix.
func TestTriageLint(t *testing.T) {
	safety := string(embeddedFile(t, SafetyFile))
	lineOf := func(s string) int {
		i := strings.Index(safety, s)
		if i < 0 {
			t.Fatalf("safety.yaml lacks %q", s)
		}
		return strings.Count(safety[:i], "\n") + 1
	}
	tests := []struct {
		name, old, new string
		want           string
		line           int
	}{
		{"crisis switched off", "    crisis: true\n", "    crisis: false\n", "no longer gets crisis guidance", lineOf("  - id: self-harm")},
		{"a sign that fires on everything", "    signs:\n      - <cant> .. <breathe>\n", "    signs:\n      - how\n      - <cant> .. <breathe>\n",
			`the sign "how" alarms on the ordinary message`, lineOf("    signs:\n      - <cant> .. <breathe>") + 1},
		{"a category emptied", clotSigns(t, safety), "    signs:\n      - nothingatall\n", "triage no longer catches the emergency", lineOf("  - id: clot")},
		{"unknown concept", "      - <calf> + <swollen>\n", "      - <calf> + <swolen>\n", "which is not a concept", lineOf("      - <calf> + <swollen>")},
		{"a sign starting with ..", "      - <calf> + <swollen>\n", "      - .. calf\n", `cannot start or end with ".."`, lineOf("      - <calf> + <swollen>")},
		{"a lowering cue marked timeless", "    weight: 2\n    timeless: true\n", "    weight: -2\n    timeless: true\n", "only a raising cue is timeless", lineOf("    weight: 2\n    timeless: true") + 1},
		{"a raising answer", "    weight: -3\n    crisis: false\n    answers: true\n", "    weight: 3\n    crisis: false\n    answers: true\n", "an answer lowers", lineOf("    weight: -3\n    crisis: false\n    answers: true") + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(safety, tt.old) {
				t.Fatalf("safety.yaml lacks %q", tt.old)
			}
			m := baseFS(t)
			m[SafetyFile] = &fstest.MapFile{Data: []byte(strings.Replace(safety, tt.old, tt.new, 1))}
			for _, p := range problemsOf(t, m) {
				if p.File == SafetyFile && strings.Contains(p.Msg, tt.want) {
					if p.Line != tt.line {
						t.Errorf("problem %q at line %d, want %d", p, p.Line, tt.line)
					}
					return
				}
			}
			t.Errorf("no problem containing %q", tt.want)
		})
	}
}

// clotSigns is the signs list of the red flag clot, as written.
func clotSigns(t *testing.T, safety string) string {
	t.Helper()
	i := strings.Index(safety, "  - id: clot\n")
	j := strings.Index(safety[i:], "    signs:\n")
	k := strings.Index(safety[i+j:], "\n\n")
	if i < 0 || j < 0 || k < 0 {
		t.Fatal("safety.yaml: no signs of red flag clot")
	}
	return safety[i+j : i+j+k+1]
}

func embeddedFile(t *testing.T, name string) []byte {
	t.Helper()
	m := baseFS(t)
	f, ok := m[name]
	if !ok {
		t.Fatalf("no %s", name)
	}
	return f.Data
}

// TestCheckConcurrent: Checks at the same time, sharing the matcher's
// working memory pool, each get what they get alone (run it with -race).
func TestCheckConcurrent(t *testing.T) {
	s := embeddedSafety(t)
	var texts []string
	for _, c := range triageChecks {
		texts = append(texts, c.text)
	}
	texts = append(texts, strings.Repeat("my hip aches and I can't breathe properly, ", 40))
	want := make([]Triage, len(texts))
	for i, text := range texts {
		want[i] = s.Check(text)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range 3 * len(texts) {
				i := (k + g) % len(texts)
				if got := s.Check(texts[i]); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("%.40q: concurrently %+v, alone %+v", texts[i], got, want[i])
				}
			}
		})
	}
	wg.Wait()
}
