package store

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"how long is a session?", "how long is a session?"},
		{"  lots\tof \n\n white   space  ", "lots of white space"},
		// Discord mentions, emoji and timestamps
		{"<@123456789012345678> can you help", "[mention] can you help"},
		{"ask <@!123> or <@&456> in <#789>", "ask [mention] or [mention] in [mention]"},
		{"@everyone is ESWT safe? @here", "[mention] is ESWT safe? [mention]"},
		{"it hurts <:sad:112233445566778899> <a:cry:1>", "it hurts [mention] [mention]"},
		{"since <t:1700000000:R>", "since [mention]"},
		// ids and numbers
		{"my id is 734829105527390218", "my id is [id]"},
		{"I am 42 and had 3 sessions", "I am [number] and had [number] sessions"},
		{"on 12/03/2025 at 10:30, 2.5 mm", "on [number] at [number], [number] mm"},
		{"stage II or stage ２ or ½ or ³", "stage II or stage [number] or [number] or [number]"},
		{"after my 3rd session", "after my [number]rd session"},
		// contact details
		{"write to jane.doe+avn@example.co.uk please", "write to [email] please"},
		{"call me on +44 7700 900123 or (555) 123-4567", "call me on [phone] or [phone]"},
		{"see https://example.com/x?id=1 and www.avn.org/a", "see [link] and [link]"},
		{"my blog is avn-diary.com/post and hip.nhs.uk", "my blog is [link] and [link]"},
		{"ftp://files.example.net/scan.pdf", "[link]"},
		// hidden characters
		{"call 0770\u200b0900\u200b123", "call [phone]"},
		{"nul\x00byte \xff bad utf-8", "nul byte bad utf-[number]"},
		// the cap, rune-safe
		{strings.Repeat("é", 400), strings.Repeat("é", MaxText-1) + "…"},
		{strings.Repeat("word ", 100), strings.Repeat("word ", 59) + "word…"},
	} {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// FuzzRedact: whatever comes in, what comes out is valid UTF-8 of at most
// MaxText runes, with no digit, control character, mention, e-mail or link
// left, white space collapsed, and Redact changes it no further.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"", "how long is a session?", "<@!123456789012345678> hi", "mail a.b@c.de or call +1 (555) 123-4567",
		"https://x.y/z?q=1#f", "٣٤٥ ٦٧٨", "0\u200b1\u200b2", "\xff\xfe", strings.Repeat("9", 500),
		"a@b.c@d.e", "www.", "<t:-5:R>", "12.34.56.78", "user@[127.0.0.1]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Redact(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Redact(%q) = %q: invalid UTF-8", in, out)
		}
		if n := utf8.RuneCountInString(out); n > MaxText {
			t.Fatalf("Redact(%q): %d runes, more than %d", in, n, MaxText)
		}
		for _, r := range out {
			if unicode.IsNumber(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("Redact(%q) = %q keeps %U", in, out, r)
			}
			if unicode.IsSpace(r) && r != ' ' {
				t.Fatalf("Redact(%q) = %q keeps white space %U", in, out, r)
			}
		}
		if strings.Contains(out, "  ") || strings.TrimSpace(out) != out {
			t.Fatalf("Redact(%q) = %q: white space not collapsed", in, out)
		}
		for _, re := range []struct {
			name string
			m    func(string) bool
		}{{"mention", mentionRE.MatchString}, {"e-mail", emailRE.MatchString}, {"link", linkRE.MatchString}} {
			if re.m(out) {
				t.Fatalf("Redact(%q) = %q keeps a %s", in, out, re.name)
			}
		}
		if again := Redact(out); again != out {
			t.Fatalf("Redact is not idempotent on %q:\n once  %q\n twice %q", in, out, again)
		}
	})
}
