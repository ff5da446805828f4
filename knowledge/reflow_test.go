package knowledge

import (
	"strings"
	"testing"
)

func TestReflow(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"paragraph", "one two\nthree\n  four", "one two three four"},
		{"paragraphs", "a\nb\n\n\n\nc\nd\n", "a b\n\nc d"},
		{"list", "Intro\n- one\n  more\n- two\n* three\n1. four\n2) five", "Intro\n- one more\n- two\n* three\n1. four\n2) five"},
		{"quote", "> first\n> second\nlazy", "> first\n> second lazy"},
		{"heading and table", "# Title\ntext\n| a | b |\n| c | d |", "# Title\ntext\n| a | b |\n| c | d |"},
		{"hard breaks", "line one  \nline two\\\nline three", "line one  \nline two\\\nline three"},
		{"code", "see\n```\nkeep\n  this\n```\nafter\nthat", "see\n```\nkeep\n  this\n```\nafter that"},
		{"not a list", "costs 2.5\nmillion -- or\n-more", "costs 2.5 million -- or -more"},
		{"number in text", "in\n2026. It", "in 2026. It"},
		{"numbered list after text", "steps:\n1. a\n2. b", "steps:\n1. a\n2. b"},
		{"crlf-free trailing space", "a \nb", "a b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := reflow(tc.in); got != tc.want {
				t.Errorf("reflow(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestAnswersReflowed: in the embedded knowledge, every line break of an
// answer is a paragraph break or starts a list item or quote line.
func TestAnswersReflowed(t *testing.T) {
	kb, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range kb.Entries {
		lines := strings.Split(e.Answer, "\n")
		for i := 1; i < len(lines); i++ {
			if lines[i] != "" && lines[i-1] != "" && !startsBlockLine(lines[i]) {
				t.Errorf("%s: a line break inside a paragraph, before %q", e.File, lines[i])
			}
		}
	}
}

// FuzzReflow: reflowing keeps every word and changes nothing the second
// time.
func FuzzReflow(f *testing.F) {
	f.Add("one two\nthree\n\n- a\n  b\n> q\n> r\n# h\n```\nx\n```\n1. a\n2. b  \nc\\\nd")
	f.Fuzz(func(t *testing.T, md string) {
		got := reflow(md)
		words := func(s string) string {
			return strings.Join(strings.Fields(strings.ReplaceAll(s, "\\", " ")), " ")
		}
		if words(got) != words(md) {
			t.Errorf("words changed:\n%q\n%q", md, got)
		}
		if again := reflow(got); again != got {
			t.Errorf("not stable: %q → %q → %q", md, got, again)
		}
	})
}
