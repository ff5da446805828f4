package bot

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// triageItem is one message of a triage bank.
type triageItem struct {
	Text     string `json:"text"`
	Urgent   bool   `json:"urgent"`
	Crisis   bool   `json:"crisis"`
	Category string `json:"category"`
}

func readTriageBank(t *testing.T, path string) ([]triageItem, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []triageItem
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var it triageItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		if it.Crisis && !it.Urgent {
			t.Fatalf("%s:%d: a crisis message is urgent too", path, n)
		}
		out = append(out, it)
	}
	return out, sc.Err()
}

// TestTriageBanks is the triage gate, on each part of the bank apart: the
// tune part (triage_examples.jsonl: written with the red flags or read while
// tuning, and what the learned backstop learns from) and the report parts
// (triage_report.jsonl and triage_report_r4/r5/r6.jsonl: written independently,
// never used to tune; see testdata/README.md). On the tune part every
// emergency must be flagged and every crisis message get crisis guidance,
// and at most 1% of the ordinary messages may raise an alarm. The report
// parts fall short of that (issue 8 stays open): their gates sit just below
// what was measured, so that triage cannot get worse on them.
func TestTriageBanks(t *testing.T) {
	a := newTestAssistant(t)
	gates := map[string]struct{ recall, crisis, alarms float64 }{
		"triage_examples.jsonl":           {1, 1, 0.01},
		"testdata/triage_report.jsonl":    {0.96, 0.93, 0.027}, // measured 460/475, 117/125, 13/489
		"testdata/triage_report_r4.jsonl": {0.96, 0.94, 0.019}, // measured 288/299, 69/73, 6/319
		"testdata/triage_report_r5.jsonl": {0.94, 0.88, 0.040}, // measured 261/277, 39/44, 11/279
		"testdata/triage_report_r6.jsonl": {0.95, 0.95, 0.054}, // measured 250/261, 46/48, 14/263
		"testdata/triage_report_r7.jsonl": {0.94, 0.88, 0.037}, // measured 228/241, 47/53, 9/250 (before any change for round 7: 228/241, 47/53, 10/250)
		"testdata/triage_report_r8.jsonl": {0.93, 0.80, 0.035}, // never split or tuned on: 280/300, 65/80, 9/300
	}
	for _, part := range []string{"triage_examples.jsonl", "testdata/triage_report.jsonl", "testdata/triage_report_r4.jsonl", "testdata/triage_report_r5.jsonl", "testdata/triage_report_r6.jsonl", "testdata/triage_report_r7.jsonl", "testdata/triage_report_r8.jsonl"} {
		gate := gates[part]
		t.Run(part, func(t *testing.T) {
			items, err := readTriageBank(t, part)
			if errors.Is(err, fs.ErrNotExist) {
				t.Skipf("%s is absent: the report half is written apart and added later", part)
			}
			if err != nil {
				t.Fatal(err)
			}
			var urgent, caught, crisis, crisisCaught, ordinary, alarms int
			for _, it := range items {
				ans, err := a.Ask(it.Text)
				if err != nil {
					t.Fatal(err)
				}
				if it.Urgent {
					urgent++
					if ans.Urgent {
						caught++
					} else if gate.recall == 1 {
						t.Errorf("missed emergency [%s]: %q", it.Category, it.Text)
					}
					if it.Crisis {
						crisis++
						if ans.Crisis {
							crisisCaught++
						} else if gate.crisis == 1 {
							t.Errorf("crisis without crisis guidance: %q (got urgent %v, %q)", it.Text, ans.Urgent, ans.Category)
						}
					}
					continue
				}
				ordinary++
				if ans.Urgent {
					alarms++
					if gate.recall == 1 {
						t.Logf("false alarm: %q (%s)", it.Text, ans.Category)
					}
				}
			}
			if urgent == 0 || ordinary == 0 {
				t.Fatalf("%s: %d emergencies and %d ordinary messages; the bank needs both", part, urgent, ordinary)
			}
			rate := float64(alarms) / float64(ordinary)
			t.Logf("recall %d/%d, crisis %d/%d, false alarms %d/%d (%.1f%%)", caught, urgent, crisisCaught, crisis, alarms, ordinary, 100*rate)
			if r := float64(caught) / float64(urgent); r < gate.recall {
				t.Errorf("recall %.3f is below the %.3f gate", r, gate.recall)
			}
			if crisis > 0 {
				if r := float64(crisisCaught) / float64(crisis); r < gate.crisis {
					t.Errorf("crisis guidance for %.3f of crisis messages, below the %.3f gate", r, gate.crisis)
				}
			}
			if rate > gate.alarms {
				t.Errorf("false alarms %.1f%% are above the %.1f%% gate", 100*rate, 100*gate.alarms)
			}
		})
	}
}

// TestUrgentReplies: what an urgent or crisis reply holds.
func TestUrgentReplies(t *testing.T) {
	a := newTestAssistant(t)
	kb := a.kb.Safety
	tests := []struct {
		q      string
		crisis bool
		entry  string // "" when the reply must hold no FAQ answer
	}{
		// The story around an emergency is no question: "this was last
		// night" once drew the session-length entry.
		{"Um...i took 25 iron pills...what do i do...this was last night", false, ""},
		{"my calf is swollen and hot since yesterday. it started after the flight", false, ""},
		// A covered question asked beside the emergency is answered after the guidance.
		{"my calf is swollen and hot, how long is a shockwave session?", false, "session-length"},
		{"I want to kill myself. how long is a shockwave session?", true, ""},
	}
	for _, tt := range tests {
		ans, err := a.Ask(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Urgent || ans.Crisis != tt.crisis {
			t.Errorf("Ask(%q): urgent %v crisis %v, want urgent, crisis %v", tt.q, ans.Urgent, ans.Crisis, tt.crisis)
			continue
		}
		got := ""
		if ans.Entry != nil {
			got = ans.Entry.ID
		}
		if got != tt.entry {
			t.Errorf("Ask(%q): entry %q, want %q", tt.q, got, tt.entry)
		}
		if ans.Advice != kb.Advice {
			t.Errorf("Ask(%q): advice %q, want the medical advice on every answer", tt.q, ans.Advice)
		}
		if tt.crisis {
			if ans.Guidance != kb.Crisis || ans.Closing != kb.CrisisClosing || ans.Text != "" || len(ans.Related) > 0 {
				t.Errorf("Ask(%q): a crisis reply holds crisis guidance and its closing only, got %+v", tt.q, ans)
			}
		} else if ans.Guidance != kb.Urgent || ans.Closing != "" {
			t.Errorf("Ask(%q): guidance %q closing %q, want urgent guidance and no crisis closing", tt.q, ans.Guidance, ans.Closing)
		}
	}
}

// TestForeign: a message in another language gets the English-only note
// with the emergency number, unless it raises a red flag.
func TestForeign(t *testing.T) {
	a := newTestAssistant(t)
	ask := func(q string) Answer {
		t.Helper()
		ans, err := a.Ask(q)
		if err != nil {
			t.Fatal(err)
		}
		return ans
	}
	ans := ask("¿Cuántas sesiones de ondas de choque necesito para la necrosis de cadera?")
	if ans.Urgent || ans.Kind != OffTopic || ans.Text != a.kb.Safety.EnglishOnly {
		t.Errorf("Spanish question: got %+v, want the English-only note", ans)
	}
	if !strings.Contains(ans.Text, "112") {
		t.Errorf("the English-only note lacks the emergency number: %q", ans.Text)
	}
	if ans := ask("Ich will nicht mehr leben"); !ans.Crisis {
		t.Errorf("German crisis statement: got %+v, want crisis guidance", ans)
	}
	if ans := ask("is ESWT done under anaesthetic?"); ans.Text == a.kb.Safety.EnglishOnly {
		t.Errorf("English question: got the English-only note")
	}
}

// BenchmarkTriage is the first stage alone, on an ordinary question and on a
// message of MaxQuestion characters.
func BenchmarkTriage(b *testing.B) {
	a := newTestAssistant(b)
	long := strings.Repeat("My hip has ached for months and I walk with a stick, the physio says it is AVN. ", 200)
	long = Normalize(long)[:MaxQuestion-40] + " how long is a session?"
	for _, bc := range []struct{ name, q string }{
		{"question", "how long does a shockwave session take, and will it hurt?"},
		{"8000-chars", long},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.q)))
			for b.Loop() {
				a.triage(bc.q)
			}
		})
	}
}

// TestTriageFile measures triage on the banks named by TRIAGE_BANK (paths
// separated by commas: a round of fresh messages, before its tune half joins
// the tune bank): recall, crisis and false alarms, and the misses and false
// alarms by category. It lists the texts of the misses and false alarms, never
// failing, except for a file whose name holds "report": a report part is
// measured in aggregate only, never read message by message.
// `TRIAGE_BANK=/tmp/r1.jsonl go test -run TriageFile -v ./bot`.
func TestTriageFile(t *testing.T) {
	paths := os.Getenv("TRIAGE_BANK")
	if paths == "" {
		t.Skip("TRIAGE_BANK is not set")
	}
	a := newTestAssistant(t)
	for _, path := range strings.Split(paths, ",") {
		items, err := readTriageBank(t, path)
		if err != nil {
			t.Fatal(err)
		}
		quiet := strings.Contains(filepath.Base(path), "report")
		say := func(format string, args ...any) {
			if !quiet {
				t.Logf(format, args...)
			}
		}
		var urgent, caught, crisis, crisisCaught, ordinary, alarms, overCrisis int
		missed, alarmed := map[string]int{}, map[string]int{}
		for _, it := range items {
			ans, err := a.Ask(it.Text)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case it.Urgent:
				urgent++
				if ans.Urgent {
					caught++
				} else {
					missed[it.Category]++
					say("MISS [%s]: %q", it.Category, it.Text)
				}
				if it.Crisis {
					crisis++
					if ans.Crisis {
						crisisCaught++
					} else if ans.Urgent {
						missed["crisis read as urgent"]++
						say("NOCRISIS (%s): %q", ans.Category, it.Text)
					}
				} else if ans.Crisis {
					overCrisis++
					say("CRISIS for [%s] (%s): %q", it.Category, ans.Category, it.Text)
				}
			default:
				ordinary++
				if ans.Urgent {
					alarms++
					if a.kb.Safety.Check(Normalize(it.Text)).Foreign {
						alarmed[ans.Category+", another language"]++
					} else {
						alarmed[ans.Category]++
					}
					say("ALARM (%s): %q", ans.Category, it.Text)
				}
			}
		}
		t.Logf("%s: recall %d/%d, crisis %d/%d, false alarms %d/%d, crisis guidance for %d of %d other emergencies; missed %v; alarmed %v",
			filepath.Base(path), caught, urgent, crisisCaught, crisis, alarms, ordinary, overCrisis, urgent-crisis, missed, alarmed)
	}
}

// TestTriageWhy prints the flags raised by TRIAGE_WHY, one message per line.
func TestTriageWhy(t *testing.T) {
	qs := os.Getenv("TRIAGE_WHY")
	if qs == "" {
		t.Skip("TRIAGE_WHY is not set")
	}
	a := newTestAssistant(t)
	for _, q := range strings.Split(qs, "\n") {
		tr := a.kb.Safety.Check(Normalize(q))
		t.Logf("%q → %+v", q, tr.Flags)
	}
}
