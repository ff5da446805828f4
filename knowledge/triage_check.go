package knowledge

import "strconv"

// The built-in triage check. Load runs these messages through the red flags
// of every safety.yaml, so that an edit which switches a category off (a
// sign that can never match) or makes it fire on everything fails lint with
// the file and line to fix, before it goes live. They are a floor, not the
// test bank: bot/testdata/triage_*.jsonl measure triage on far more.

type checkMessage struct {
	text   string
	flag   string // the red flag id expected; "" for an ordinary message
	crisis bool
}

var triageChecks = []checkMessage{
	{"I want to kill myself", "self-harm", true},
	{"i dont want to be alive anymore", "self-harm", true},
	{"everyone would be better off without me", "self-harm", true},
	{"I've been cutting myself again", "self-harm", true},
	{"i took all my pills", "overdose", false},
	{"my husband took too many of his painkillers", "overdose", false},
	{"I can't breathe properly and my chest feels tight", "breathing-chest", false},
	{"my calf is swollen, red and really sore", "clot", false},
	{"his face is drooping and his speech is slurred", "stroke", false},
	{"my foot has gone cold and blue", "limb", false},
	{"the wound is bleeding heavily and won't stop", "bleeding", false},
	{"high fever and my hip is hot and swollen", "infection", false},
	{"I fell and can't get up", "fall", false},
	{"sudden agonising pain in my hip, I can't put any weight on it", "severe-pain", false},
	{"my throat is swelling up after the new tablets", "allergy", false},
	{"my mum is very confused and I can't wake her properly", "confusion", false},
	{"my husband keeps saying we'd all be better off without him", "self-harm", true},
	{"mi hija dice que ya no quiere vivir", "self-harm", true},
	{"a mi padre se le ha caído la cara de un lado y no puede hablar bien", "stroke", false},
	{"my tongue feels huge and my voice has gone hoarse since the new antibiotic", "allergy", false},
	{"he isn't breathing and his lips are going blue", "confusion", false},

	{"how long does a shockwave session take?", "", false},
	{"can AVN cause extreme pain?", "", false},
	{"is infection a risk with shockwave?", "", false},
	{"is there a risk of bleeding after ESWT", "", false},
	{"how do I recognise a blood clot in my leg?", "", false},
	{"I had a stroke in 2015, can I still have shockwave therapy?", "", false},
	{"this waiting list is killing me", "", false},
	{"the pharmacist said two tablets would be an overdose", "", false},
	{"what are the signs of a DVT after surgery", "", false},
	{"will I be able to walk after the treatment?", "", false},
	{"does shockwave therapy hurt?", "", false},
	{"my dad broke his hip years ago and recovered well", "", false},
	{"had a stroke back in 2012, am I still a candidate for shockwave?", "", false},
	{"my aunt had a DVT after her knee replacement, is that a risk with ESWT?", "", false},
	{"Meine Mutter hatte vor Jahren eine Thrombose, ist die Stoßwellentherapie trotzdem möglich?", "", false},
	{"no fever, and the scar isn't red or swollen - when can I swim again?", "", false},
}

// checkTriage reports, against the red flags, each built-in emergency that is
// missed and each ordinary message that raises an alarm.
func checkTriage(s Safety, flagsLine int, r report) {
	lineOf := map[string]int{}
	for _, f := range s.RedFlags {
		lineOf[f.ID] = f.Line
	}
	for _, c := range triageChecks {
		t := s.Check(c.text)
		switch {
		case c.flag == "" && t.Urgent():
			f := t.Flags[0]
			r.add(f.Line, "red_flags."+f.ID+".signs", "the sign %q alarms on the ordinary message %s; make it more specific, or add the phrasing that makes the message ordinary to a cue", f.Sign, strconv.Quote(c.text))
		case c.flag != "" && !t.Urgent():
			line, ok := lineOf[c.flag]
			if !ok {
				line = flagsLine
			}
			r.add(line, "red_flags."+c.flag, "triage no longer catches the emergency %s; a sign of red flag %q must match it (check the signs and concepts edited last)", strconv.Quote(c.text), c.flag)
		case c.crisis && !t.Crisis():
			line, ok := lineOf[c.flag]
			if !ok {
				line = flagsLine
			}
			r.add(line, "red_flags."+c.flag, "the crisis message %s no longer gets crisis guidance; a red flag with \"crisis: true\" must match it", strconv.Quote(c.text))
		}
	}
}
