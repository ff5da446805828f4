package bot

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
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

// TestTriageBanks is the triage gate, on each half of the bank apart: the
// tune half (written with the red flags) and the report half (written
// independently, never used to tune). Every emergency must be flagged, and
// every crisis message must get crisis guidance; at most 1% of the ordinary
// messages may raise an alarm.
func TestTriageBanks(t *testing.T) {
	a := newTestAssistant(t)
	for _, part := range []string{"testdata/triage_tune.jsonl", "testdata/triage_report.jsonl"} {
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
					} else {
						t.Errorf("missed emergency [%s]: %q", it.Category, it.Text)
					}
					if it.Crisis {
						crisis++
						if ans.Crisis {
							crisisCaught++
						} else {
							t.Errorf("crisis without crisis guidance: %q (got urgent %v, %q)", it.Text, ans.Urgent, ans.Category)
						}
					}
					continue
				}
				ordinary++
				if ans.Urgent {
					alarms++
					t.Logf("false alarm: %q (%s)", it.Text, ans.Category)
				}
			}
			if urgent == 0 || ordinary == 0 {
				t.Fatalf("%s: %d emergencies and %d ordinary messages; the bank needs both", part, urgent, ordinary)
			}
			rate := float64(alarms) / float64(ordinary)
			t.Logf("recall %d/%d, crisis %d/%d, false alarms %d/%d (%.1f%%)", caught, urgent, crisisCaught, crisis, alarms, ordinary, 100*rate)
			if rate > 0.01 {
				t.Errorf("false alarms %.1f%% are above the 1%% gate", 100*rate)
			}
		})
	}
}
