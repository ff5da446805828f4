package knowledge

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestSettings(t *testing.T) {
	kb, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if kb.Settings.Target < MinTarget || kb.Settings.Target > MaxTarget {
		t.Errorf("embedded target %.2f, want it set within [%.2f, %.2f]", kb.Settings.Target, MinTarget, MaxTarget)
	}
	tests := []struct {
		yaml string
		want float64
		msg  string // a problem's text, when the file is wrong
	}{
		{"answer_when_at_least: 0.8\n", 0.8, ""},
		{"# nothing set\n", 0, ""},
		{"answer_when_at_least: 1.5\n", 0, "settings.yaml:1: answer_when_at_least: 1.5 is out of range"},
		{"answer_when_at_least: 0.2\n", 0, "out of range"},
		{"answer_when_at_least: high\n", 0, `"high" is not a number`},
		{"answer_when_at_leest: 0.8\n", 0, `did you mean "answer_when_at_least"`},
		{"topic: " + strings.Repeat("hip ", 60) + "\nanswer_when_at_least: 0.7\n", 0.7, "settings.yaml:1: topic: is 239 characters long"},
	}
	for _, tt := range tests {
		var ps Problems
		got := loadSettings(fstest.MapFS{SettingsFile: {Data: []byte(tt.yaml)}}, &ps)
		if got.Target != tt.want {
			t.Errorf("%q: target %.2f, want %.2f", tt.yaml, got.Target, tt.want)
		}
		if (tt.msg == "") != (len(ps) == 0) || (tt.msg != "" && !strings.Contains(ps.Error(), tt.msg)) {
			t.Errorf("%q: problems %v, want one saying %q", tt.yaml, ps, tt.msg)
		}
	}
	if kb.Settings.Topic == "" {
		t.Error("the embedded settings name no topic")
	}
	var tp Problems
	if got := loadSettings(fstest.MapFS{SettingsFile: {Data: []byte("topic: knee pain\n")}}, &tp); got.Topic != "knee pain" || len(tp) > 0 {
		t.Errorf("topic: %+v, problems %v", got, tp)
	}
	var ps Problems
	if got := loadSettings(fstest.MapFS{}, &ps); got.Target != 0 || len(ps) > 0 {
		t.Errorf("no settings.yaml: %+v, %v; want the defaults and no problem", got, ps)
	}
}
