package discord

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
)

// payload is the part of a message body that Discord limits. It reads a
// MessageSend, an InteractionResponseData, or (through Data) an
// InteractionResponse.
type payload struct {
	Type            int             `json:"type"`
	Data            json.RawMessage `json:"data"`
	Content         string          `json:"content"`
	Flags           int             `json:"flags"`
	AllowedMentions *struct {
		Parse *[]string `json:"parse"`
		Roles []string  `json:"roles"`
		Users []string  `json:"users"`
	} `json:"allowed_mentions"`
	Embeds []struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Footer      *struct {
			Text string `json:"text"`
		} `json:"footer"`
		Author *struct {
			Name string `json:"name"`
		} `json:"author"`
		Fields []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"fields"`
	} `json:"embeds"`
	Components []component `json:"components"`
	Choices    []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	} `json:"choices"`
}

type component struct {
	Type       int         `json:"type"`
	Label      string      `json:"label"`
	CustomID   string      `json:"custom_id"`
	URL        string      `json:"url"`
	Components []component `json:"components"`
}

// u16 counts UTF-16 code units, independently of Len.
func u16(s string) int { return len(utf16.Encode([]rune(s))) }

// checkLimits fails t for every way v, once marshalled, breaks one of
// Discord's limits on a message or lets a mention through. v may be a
// MessageSend, an InteractionResponseData or an InteractionResponse (whose
// data is checked; a response without data is fine). It returns the payload's
// strings joined by spaces, for checks of what it says.
func checkLimits(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("unmarshal %s: %v", raw, err)
	}
	if len(p.Data) > 0 && string(p.Data) != "null" {
		if err := json.Unmarshal(p.Data, &p); err != nil {
			t.Fatalf("unmarshal data %s: %v", p.Data, err)
		}
	} else if p.Type != 0 {
		return "" // a response with no data, such as a deferral
	}
	errf := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format, args...)
	}
	var all []string
	if len(p.Choices) > 0 || p.Type == 8 {
		if len(p.Choices) > 25 {
			errf("%d autocomplete choices, want at most 25", len(p.Choices))
		}
		for _, c := range p.Choices {
			if n := u16(c.Name); n < 1 || n > 100 {
				errf("choice name %q is %d long, want 1..100", c.Name, n)
			}
			if s, ok := c.Value.(string); ok && u16(s) > 100 {
				errf("choice value %q is %d long, want at most 100", s, u16(s))
			}
		}
		return ""
	}

	if p.AllowedMentions == nil || p.AllowedMentions.Parse == nil {
		errf("allowed_mentions.parse missing, want []: %s", raw)
	} else if len(*p.AllowedMentions.Parse) != 0 || len(p.AllowedMentions.Roles) != 0 || len(p.AllowedMentions.Users) != 0 {
		errf("allowed_mentions = %+v, want nothing allowed", *p.AllowedMentions)
	}
	if !strings.Contains(string(raw), `"parse":[]`) {
		errf(`JSON has no "parse":[]`)
	}
	if n := u16(p.Content); n > MaxContent {
		errf("content is %d long, want at most %d", n, MaxContent)
	}
	all = append(all, p.Content)
	if len(p.Embeds) > MaxEmbeds {
		errf("%d embeds, want at most %d", len(p.Embeds), MaxEmbeds)
	}
	if p.Content == "" && len(p.Embeds) == 0 {
		errf("empty reply: no content, no embeds")
	}
	total := 0
	for i, e := range p.Embeds {
		if n := u16(e.Title); n > MaxEmbedTitle {
			errf("embed %d title is %d long", i, n)
		}
		if n := u16(e.Description); n > MaxEmbedDesc {
			errf("embed %d description is %d long", i, n)
		}
		if e.Title == "" && e.Description == "" && len(e.Fields) == 0 {
			errf("embed %d is empty", i)
		}
		total += u16(e.Title) + u16(e.Description)
		all = append(all, e.Title, e.Description)
		if e.Footer != nil {
			if n := u16(e.Footer.Text); n > MaxFooter {
				errf("embed %d footer is %d long", i, n)
			}
			total += u16(e.Footer.Text)
			all = append(all, e.Footer.Text)
		}
		if e.Author != nil {
			total += u16(e.Author.Name)
			all = append(all, e.Author.Name)
		}
		if len(e.Fields) > MaxFields {
			errf("embed %d has %d fields", i, len(e.Fields))
		}
		for j, f := range e.Fields {
			if n := u16(f.Name); n < 1 || n > MaxFieldName {
				errf("embed %d field %d name is %d long", i, j, n)
			}
			if n := u16(f.Value); n < 1 || n > MaxFieldValue {
				errf("embed %d field %d value is %d long", i, j, n)
			}
			total += u16(f.Name) + u16(f.Value)
			all = append(all, f.Name, f.Value)
		}
	}
	if total > MaxEmbedTotal {
		errf("embeds total %d characters, want at most %d", total, MaxEmbedTotal)
	}
	if len(p.Components) > MaxActionRows {
		errf("%d action rows, want at most %d", len(p.Components), MaxActionRows)
	}
	ids := map[string]bool{}
	for _, row := range p.Components {
		if row.Type != 1 {
			errf("top-level component of type %d, want an action row", row.Type)
		}
		if n := len(row.Components); n < 1 || n > MaxButtonsPerRow {
			errf("action row with %d buttons", n)
		}
		for _, b := range row.Components {
			if n := u16(b.Label); n < 1 || n > MaxButtonLabel {
				errf("button label %q is %d long", b.Label, n)
			}
			if b.URL == "" {
				if n := u16(b.CustomID); n < 1 || n > MaxCustomID {
					errf("custom_id %q is %d long", b.CustomID, n)
				}
				if ids[b.CustomID] {
					errf("custom_id %q used twice", b.CustomID)
				}
				ids[b.CustomID] = true
			}
			all = append(all, b.Label)
		}
	}
	text := strings.Join(all, " ")
	for _, m := range []string{"@everyone", "@here"} {
		if strings.Contains(text, m) {
			errf("payload contains a live %s", m)
		}
	}
	return text
}

// mustContain fails t unless text contains want once white space is folded.
func mustContain(t *testing.T, text, want, what string) {
	t.Helper()
	fold := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u200b", "")), " ") }
	if !strings.Contains(fold(text), fold(want)) {
		t.Errorf("%s missing from the payload:\n%s", what, fmt.Sprintf("%.300q", want))
	}
}
