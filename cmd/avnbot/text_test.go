package main

import (
	"strings"
	"testing"
)

func TestMarkdownPlain(t *testing.T) {
	var b strings.Builder
	plainStyle.markdown(&b, "Each **session** lasts\n20 minutes.\n\n- one\n- two\n> quoted\n\n1. first", "")
	want := "Each session lasts 20 minutes.\n\n  • one\n  • two\n│ quoted\n\n  1. first\n"
	if got := b.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// TestWrap: lines break between words at the width, ANSI sequences take no
// room, and a style spanning a break is ended before it and taken up after.
func TestWrap(t *testing.T) {
	st := style{color: true, width: 20}
	var b strings.Builder
	st.markdown(&b, "one two three **four five six seven** eight nine ten", "")
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for _, l := range lines {
		if n := visible(l); n > 20 {
			t.Errorf("line %q is %d columns", l, n)
		}
	}
	if len(lines) != 3 {
		t.Fatalf("got %d lines: %q", len(lines), lines)
	}
	if !strings.HasSuffix(lines[0], sgrReset) || !strings.HasPrefix(lines[1], sgrBold) {
		t.Errorf("bold not closed and reopened across the break: %q", lines)
	}
	if got := ansi.ReplaceAllString(b.String(), ""); got != "one two three four\nfive six seven eight\nnine ten\n" {
		t.Errorf("text %q", got)
	}
	// A word longer than the width stays whole on its own line.
	b.Reset()
	style{width: 5}.paragraph(&b, "a verylongword b", "", "")
	if got := b.String(); got != "a\nverylongword\nb\n" {
		t.Errorf("long word: %q", got)
	}
}

func TestInlineUnclosedBold(t *testing.T) {
	if got := plainStyle.inline("2 ** 3 is 8", ""); got != "2 ** 3 is 8" {
		t.Errorf("an unpaired marker is text: got %q", got)
	}
}
