package bot

import (
	"slices"
	"testing"
)

func TestQuestions(t *testing.T) {
	tests := []struct {
		msg  string
		want []string // the pieces after the whole message, and whether each asks
	}{
		{"how long is a session?", nil},
		{"Hiya, is the number of sessions the same for everyone? cheers", nil},
		{"hello, what are the pros of shockwave therapy for avn? thank you!", nil},
		{"how long is a session and how many will I need", []string{"how long is a session?", "how many will I need?"}},
		{"I was diagnosed last year. My surgeon mentioned shockwave. How many sessions would I need?",
			[]string{"I was diagnosed last year.", "My surgeon mentioned shockwave.", "How many sessions would I need?"}},
		{"**how long** does recovery take?? 🙏 <@123456789012345678>", nil},
		{"does it hurt, and can I drive home after", []string{"does it hurt?", "can I drive home after?"}},
		{"salt, pepper and vinegar", nil},
		{"hello what is avn exactly", nil}, // the whole message is the question
		{"what is avascular necrosis please? thx", nil},
		{"thank you so much, how long is a session", []string{"how long is a session?"}},
		{"hi, thanks", nil},
	}
	wholes := map[string]string{
		"hello! what is AVN exactly? thx":                               "what is AVN exactly?",
		"Hiya, is the number of sessions the same for everyone? cheers": "is the number of sessions the same for everyone?",
		"how long is a session?":                                        "how long is a session?",
	}
	for msg, want := range wholes {
		if qs := questions(msg); len(qs) == 0 || qs[0].text != want || !qs[0].asks {
			t.Errorf("questions(%q): the whole message is %+v, want %q, asking", msg, qs, want)
		}
	}
	for _, tt := range tests {
		qs := questions(tt.msg)
		if len(qs) == 0 || !qs[0].whole {
			t.Errorf("questions(%q) = %+v: the whole message must come first", tt.msg, qs)
			continue
		}
		var got []string
		for _, q := range qs[1:] {
			mark := "."
			if q.asks {
				mark = "?"
			}
			got = append(got, q.text+mark)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("questions(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}
