package store

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxText is the most runes of a question the store keeps.
const MaxText = 300

// The placeholders that replace what Redact removes.
const (
	mentionMark = "[mention]"
	emailMark   = "[email]"
	linkMark    = "[link]"
	phoneMark   = "[phone]"
	idMark      = "[id]"
	numberMark  = "[number]"
)

var (
	// Discord mentions of users, roles and channels, @everyone and @here;
	// custom emoji and timestamps carry ids too.
	mentionRE = regexp.MustCompile(`<(?:@[!&]?|#)\p{N}+>|<a?:\w*:\p{N}+>|<t:-?\p{N}+(?::\w)?>|@(?:everyone|here)\b`)
	emailRE   = regexp.MustCompile(`(?i)[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`)
	// A scheme, www., or a bare domain with a common top-level domain.
	linkRE = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://\S*|\bwww\.\S+|\b(?:[\p{L}\p{N}-]+\.)+(?:com|org|net|edu|gov|io|co|uk|us|ca|au|nz|ie|de|fr|nl|es|it|info|biz|me|gg|ly|app|dev|health|nhs|html?|php)\b(?:/\S*)?`)
	// A run of digits and separators: a phone number when it holds 7 or more
	// digits, otherwise left for numberRE.
	phoneRE = regexp.MustCompile(`\+?\(?\p{N}[\p{N} ().-]{5,}\p{N}`)
	idRE    = regexp.MustCompile(`\p{N}{15,}`) // Discord snowflakes and other long ids
	// Every number, with its decimal, date or time separators.
	numberRE = regexp.MustCompile(`\p{N}+(?:[.,:/]\p{N}+)*`)
)

// Redact removes from a question what could identify someone: Discord
// mentions, e-mail addresses, links, phone numbers, long ids and every other
// number are each replaced by a placeholder such as "[number]"; control and
// invisible formatting characters are dropped, white space is collapsed and
// the result is capped at MaxText runes. Names and other free-text details
// are not detected: that is why recording questions is off by default.
func Redact(text string) string {
	text = strings.ToValidUTF8(text, " ")
	text = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r), unicode.IsControl(r):
			return ' '
		case unicode.Is(unicode.Cf, r): // zero-width and bidi characters hide digits from the patterns
			return -1
		}
		return r
	}, text)
	text = mentionRE.ReplaceAllLiteralString(text, " "+mentionMark+" ")
	text = emailRE.ReplaceAllLiteralString(text, " "+emailMark+" ")
	text = linkRE.ReplaceAllLiteralString(text, " "+linkMark+" ")
	text = idRE.ReplaceAllLiteralString(text, " "+idMark+" ")
	text = phoneRE.ReplaceAllStringFunc(text, func(m string) string {
		digits := 0
		for _, r := range m {
			if unicode.IsNumber(r) {
				digits++
			}
		}
		if digits >= 7 {
			return " " + phoneMark + " "
		}
		return m
	})
	text = numberRE.ReplaceAllLiteralString(text, numberMark)
	// A number's mark can start a word where the digits did not: in
	// "ww2www.w." the link begins only once "2" is "[number]".
	text = linkRE.ReplaceAllLiteralString(text, " "+linkMark+" ")
	text = strings.Join(strings.Fields(text), " ")
	return capRunes(text, MaxText)
}

// capRunes cuts s to at most n runes, ending it with "…" when cut.
func capRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)[:n-1]
	return strings.TrimRight(string(runes), " ") + "…"
}
