package knowledge

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
)

// SettingsFile holds the moderators' settings of the answer engine. It is
// optional: a knowledge directory without it uses the defaults.
const SettingsFile = "settings.yaml"

// Settings are the knobs moderators own.
type Settings struct {
	// Target is how sure the assistant must be to answer: the least
	// probability that its answer is right (0 when not set: the engine's
	// default). The assistant abstains below it.
	Target float64
	// Topic is what the FAQ is about, in a few words, for the replies the
	// assistant writes itself ("I'm an FAQ assistant for ..."); empty when
	// not set.
	Topic string
}

// MaxTopic bounds the topic, in characters: it goes into short replies.
const MaxTopic = 200

// The range a target may take: below one half the assistant would answer
// when more likely wrong than right; at 1 it would never answer.
const (
	MinTarget = 0.5
	MaxTarget = 0.99
)

func loadSettings(fsys fs.FS, ps *Problems) Settings {
	r := report{file: SettingsFile, problems: ps}
	data, err := fs.ReadFile(fsys, SettingsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return Settings{}
	}
	if err != nil {
		r.add(0, "", "cannot read the file: %s", errText(err))
		return Settings{}
	}
	if onlyComments(string(data)) {
		return Settings{} // every setting at its default
	}
	root := parseYAML(r, data)
	if root == nil {
		return Settings{}
	}
	m := fields(r, root, "", "answer_when_at_least", "topic")
	var s Settings
	if t, line := text(r, m, "topic", "", false, 1); len([]rune(t)) > MaxTopic {
		r.add(line, "topic", "is %d characters long; keep it under %d: a few words on what the FAQ covers", len([]rune(t)), MaxTopic)
	} else {
		s.Topic = t
	}
	v, line := text(r, m, "answer_when_at_least", "", false, 1)
	if v == "" {
		return s
	}
	t, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil:
		r.add(line, "answer_when_at_least", "%q is not a number; write a probability such as 0.7", v)
	case t < MinTarget || t > MaxTarget:
		r.add(line, "answer_when_at_least", "%s is out of range; use a probability from %.2f to %.2f", v, MinTarget, MaxTarget)
	default:
		s.Target = t
	}
	return s
}

// onlyComments reports whether a YAML text holds nothing but comments and
// blank lines.
func onlyComments(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}
