package knowledge

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// The layout of a knowledge directory.
const (
	SourcesDir   = "sources"       // one .md file a source: front matter, then the text verbatim
	FAQDir       = "faq"           // one .md file an entry: front matter, then the answer
	SynonymsFile = "synonyms.yaml" // a list of synonym groups
	SafetyFile   = "safety.yaml"   // advice, urgent and crisis guidance, red flags
)

// MaxAnswer is the longest answer allowed, in characters. A reply also
// carries quotes and the advice, and Discord allows 4,096 characters in an
// embed's description and 6,000 in all.
const MaxAnswer = 1500

// MaxQuote is the longest quote allowed: a Discord embed field holds 1,024
// characters, and the quote shares its field with its source's title.
const MaxQuote = 900

//go:embed content
var content embed.FS

// Embedded loads the knowledge compiled into the binary.
func Embedded() (*Base, error) {
	sub, err := fs.Sub(content, "content")
	if err != nil {
		return nil, err
	}
	return Load(sub)
}

// EmbeddedFS is the knowledge compiled into the binary, as files.
func EmbeddedFS() fs.FS {
	sub, _ := fs.Sub(content, "content")
	return sub
}

// LoadDir loads and validates the knowledge in dir.
func LoadDir(dir string) (*Base, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("knowledge directory: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("knowledge directory %s: not a directory", dir)
	}
	return load(os.DirFS(dir), func(f string) string { return filepath.Join(dir, filepath.FromSlash(f)) })
}

// Load reads and validates a knowledge directory. On any problem it returns
// nil and a Problems error listing all of them, with paths inside fsys.
func Load(fsys fs.FS) (*Base, error) {
	return load(fsys, func(f string) string { return f })
}

// load is Load; name turns a path inside fsys into the one problems give
// (LoadDir: the directory as its caller named it, joined to the path, so a
// moderator's editor can open it from where they ran the check).
func load(fsys fs.FS, name func(string) string) (*Base, error) {
	fsys = capped{fsys} // files over MaxFileSize are reported, not read
	var ps Problems
	b := &Base{}
	for _, f := range mdFiles(fsys, SourcesDir, &ps) {
		if s, ok := loadSource(fsys, f, &ps); ok {
			b.Sources = append(b.Sources, s)
		}
	}
	for _, f := range mdFiles(fsys, FAQDir, &ps) {
		if e, ok := loadEntry(fsys, f, &ps); ok {
			b.Entries = append(b.Entries, e)
		}
	}
	b.Synonyms = loadSynonyms(fsys, &ps)
	b.Safety = loadSafety(fsys, &ps)
	b.Settings = loadSettings(fsys, &ps)
	b.Tests = loadTests(fsys, &ps)
	validate(b, &ps, name)
	validateTests(b, &ps)
	if len(ps) > 0 {
		for i := range ps {
			if ps[i].File != "" {
				ps[i].File = name(ps[i].File)
			}
		}
		return nil, ps.sorted()
	}
	return b, nil
}

func mdFiles(fsys fs.FS, dir string, ps *Problems) []string {
	des, err := fs.ReadDir(fsys, dir)
	if err != nil {
		*ps = append(*ps, Problem{File: dir, Msg: "cannot read the folder: " + errText(err) + "; it must exist and hold .md files"})
		return nil
	}
	var out []string
	for _, de := range des {
		name := de.Name()
		switch {
		case de.IsDir(), strings.HasPrefix(name, "."), strings.EqualFold(name, "README.md"):
		case !strings.HasSuffix(name, ".md"):
			*ps = append(*ps, Problem{File: path.Join(dir, name), Msg: "not a .md file; rename it to end in .md or move it out of " + dir + "/"})
		default:
			out = append(out, path.Join(dir, name))
		}
	}
	if len(out) == 0 {
		*ps = append(*ps, Problem{File: dir, Msg: "no .md files; add at least one"})
	}
	return out
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// document is a Markdown file split into its front matter and body.
type document struct {
	meta     *yaml.Node
	body     string
	bodyLine int // line where the body starts, counted like YAML lines (report adds the offset)
	r        report
}

// readDocument splits a file into front matter and body and parses the
// front matter. ok is false when nothing usable could be read.
func readDocument(fsys fs.FS, file string, ps *Problems) (document, bool) {
	r := report{file: file, problems: ps}
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		r.add(0, "", "cannot read the file: %s", errText(err))
		return document{}, false
	}
	if !utf8.Valid(data) {
		r.add(0, "", "not valid UTF-8 text; save the file as UTF-8")
		return document{}, false
	}
	if bytes.IndexByte(data, 0) >= 0 {
		r.add(0, "", "contains NUL bytes; save the file as plain text")
		return document{}, false
	}
	s := strings.ReplaceAll(strings.TrimPrefix(string(data), "\ufeff"), "\r\n", "\n")
	if !strings.HasPrefix(s, "---\n") {
		r.add(1, "", "must start with a line \"---\", then the front matter (id, question, ...), then another \"---\"")
		return document{}, false
	}
	rest := s[4:]
	end := -1
	if strings.HasPrefix(rest, "---\n") || rest == "---" {
		end = 0
	} else if i := strings.Index(rest, "\n---\n"); i >= 0 {
		end = i + 1
	} else if strings.HasSuffix(rest, "\n---") {
		end = len(rest) - 3
	}
	if end < 0 {
		r.add(1, "", "the front matter is not closed; add a line \"---\" after it")
		return document{}, false
	}
	front := rest[:end]
	body := ""
	if end+4 <= len(rest) {
		body = rest[end+4:]
	}
	r.offset = 1
	d := document{r: r, body: body, bodyLine: strings.Count(front, "\n") + 2}
	d.meta = parseYAML(r, []byte(front))
	if d.meta == nil {
		return d, false
	}
	return d, true
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func checkID(r report, id string, line int) {
	if id != "" && !idPattern.MatchString(id) {
		r.add(line, "id", "%q is not a valid id; use lower-case letters, digits and single hyphens, e.g. \"session-length\"", id)
	}
}

func loadSource(fsys fs.FS, file string, ps *Problems) (Source, bool) {
	d, ok := readDocument(fsys, file, ps)
	if !ok {
		return Source{}, false
	}
	m := fields(d.r, d.meta, "", "id", "title")
	id, line := text(d.r, m, "id", "", true, 1)
	checkID(d.r, id, line)
	title, _ := text(d.r, m, "title", "", true, 1)
	if strings.TrimSpace(d.body) == "" {
		d.r.add(0, "", "the source text is empty; paste the material verbatim after the front matter")
	}
	return Source{ID: id, Title: title, Text: d.body, File: file, line: d.bodyLine + d.r.offset}, id != ""
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func loadEntry(fsys fs.FS, file string, ps *Problems) (Entry, bool) {
	d, ok := readDocument(fsys, file, ps)
	if !ok {
		return Entry{}, false
	}
	r := d.r
	m := fields(r, d.meta, "", "id", "question", "alternates", "tags", "citations", "reviewed")
	e := Entry{File: file, Answer: reflow(d.body), pos: map[string]int{}}
	at := func(field string, line int) { e.pos[field] = r.offset + line }
	var line int
	e.ID, line = text(r, m, "id", "", true, 1)
	at("id", line)
	checkID(r, e.ID, line)
	e.Question, line = text(r, m, "question", "", true, 1)
	at("question", line)
	var lines []int
	e.Alternates, lines = texts(r, m, "alternates", "")
	for i, l := range lines {
		at("alternates["+strconv.Itoa(i)+"]", l)
	}
	e.Tags, _ = texts(r, m, "tags", "")
	e.Reviewed, line = text(r, m, "reviewed", "", true, 1)
	if e.Reviewed != "" && !datePattern.MatchString(e.Reviewed) {
		r.add(line, "reviewed", "%q is not a date; write it as YYYY-MM-DD", e.Reviewed)
	}
	cits := list(r, m, "citations", "")
	if len(cits) == 0 {
		at := 1
		if n := m["citations"]; n != nil {
			at = n.Line
		}
		r.add(at, "citations", "an entry needs at least one citation (source and a verbatim quote)")
	}
	for i, n := range cits {
		path := "citations[" + strconv.Itoa(i) + "]"
		cm := fields(r, n, path, "source", "quote")
		var c Citation
		var sl, ql int
		c.Source, sl = text(r, cm, "source", path, true, n.Line)
		c.Quote, ql = text(r, cm, "quote", path, true, n.Line)
		if c.Source != "" && c.Quote != "" {
			path = "citations[" + strconv.Itoa(len(e.Citations)) + "]"
			at(path+".source", sl)
			at(path+".quote", ql)
			e.Citations = append(e.Citations, c)
		}
	}
	if e.Answer == "" {
		r.add(d.bodyLine, "answer", "the answer is missing; write it below the closing \"---\"")
	} else if n := utf8.RuneCountInString(e.Answer); n > MaxAnswer {
		r.add(d.bodyLine, "answer", "the answer is %d characters; Discord replies need it within %d, so shorten it or split the entry", n, MaxAnswer)
	}
	return e, e.ID != ""
}

func loadSynonyms(fsys fs.FS, ps *Problems) []Synonyms {
	r := report{file: SynonymsFile, problems: ps}
	data, err := fs.ReadFile(fsys, SynonymsFile)
	if err != nil {
		r.add(0, "", "cannot read the file: %s", errText(err))
		return nil
	}
	root := parseYAML(r, data)
	if root == nil {
		return nil
	}
	m := fields(r, root, "", "groups")
	var out []Synonyms
	seen := map[string]int{}
	for i, g := range list(r, m, "groups", "") {
		path := "groups[" + strconv.Itoa(i) + "]"
		if g.Kind != yaml.SequenceNode {
			r.add(g.Line, path, "expected a list of words, e.g. [avn, avascular necrosis]")
			continue
		}
		var group Synonyms
		for _, t := range g.Content {
			term := strings.ToLower(strings.Join(strings.Fields(t.Value), " "))
			switch {
			case t.Kind != yaml.ScalarNode || term == "":
				r.add(t.Line, path, "expected a word or phrase, found %s", kindName(t))
			case seen[term] > 0:
				r.add(t.Line, path, "%q is already in the group on line %d; a term may belong to one group only", term, seen[term])
			default:
				seen[term] = g.Line
				group = append(group, term)
			}
		}
		if len(group) < 2 && len(g.Content) < 2 {
			r.add(g.Line, path, "a group needs at least two terms")
		}
		if len(group) > 0 {
			out = append(out, group)
		}
	}
	return out
}

func loadSafety(fsys fs.FS, ps *Problems) Safety {
	r := report{file: SafetyFile, problems: ps}
	data, err := fs.ReadFile(fsys, SafetyFile)
	if err != nil {
		r.add(0, "", "cannot read the file: %s", errText(err))
		return Safety{}
	}
	root := parseYAML(r, data)
	if root == nil {
		return Safety{}
	}
	before := len(*ps)
	m := fields(r, root, "", "advice", "urgent", "crisis", "crisis_closing", "english_only", "concepts", "cues", "red_flags")
	var s Safety
	s.Advice, _ = text(r, m, "advice", "", true, 1)
	s.Urgent, _ = text(r, m, "urgent", "", true, 1)
	s.Crisis, _ = text(r, m, "crisis", "", true, 1)
	s.CrisisClosing, _ = text(r, m, "crisis_closing", "", true, 1)
	s.EnglishOnly, _ = text(r, m, "english_only", "", true, 1)
	for name, v := range map[string]string{"advice": s.Advice, "urgent": s.Urgent, "crisis": s.Crisis,
		"crisis_closing": s.CrisisClosing, "english_only": s.EnglishOnly} {
		if n := utf8.RuneCountInString(v); n > 700 {
			r.add(m[name].Line, name, "is %d characters; keep it within 700 so every reply fits Discord's limits", n)
		}
	}

	// concepts: name → list of phrasings
	concepts, conceptLines := map[string][]string{}, map[string][]int{}
	if c := m["concepts"]; c == nil || c.Kind != yaml.MappingNode {
		r.add(1, "concepts", "missing; list the concepts (name: [words and phrasings]) the red flags use")
	} else {
		for i := 0; i+1 < len(c.Content); i += 2 {
			k, v := c.Content[i], c.Content[i+1]
			name := strings.TrimSpace(k.Value)
			if !idPattern.MatchString(name) {
				r.add(k.Line, "concepts."+name, "%q is not a valid concept name; use lower-case letters, digits and hyphens", name)
				continue
			}
			if _, dup := concepts[name]; dup {
				r.add(k.Line, "concepts."+name, "concept given twice; keep one")
				continue
			}
			words, lines := texts(r, map[string]*yaml.Node{name: v}, name, "concepts.")
			if len(words) == 0 {
				r.add(k.Line, "concepts."+name, "a concept needs at least one word or phrasing")
			}
			concepts[name], conceptLines[name] = words, lines
		}
	}

	for i, n := range list(r, m, "cues", "") {
		path := "cues[" + strconv.Itoa(i) + "]"
		cm := fields(r, n, path, "name", "weight", "carries", "crisis", "topic", "after", "negates", "timeless", "answers", "phrases")
		var c Cue
		c.Name, _ = text(r, cm, "name", path, true, n.Line)
		if w := cm["weight"]; w == nil {
			r.add(n.Line, path+".weight", "missing; add \"weight: -2\" (lowers the alarm) or \"weight: 2\" (raises it)")
		} else if err := w.Decode(&c.Weight); err != nil || c.Weight == 0 || c.Weight < -5 || c.Weight > 5 {
			r.add(w.Line, path+".weight", "expected a whole number from -5 to 5, not 0")
		}
		// flag reads a true/false switch of the cue; it reports its line
		// when it is set true
		flag := func(key string, dst *bool) int {
			v := cm[key]
			if v == nil {
				return 0
			}
			if err := v.Decode(dst); err != nil {
				r.add(v.Line, path+"."+key, "expected true or false")
				return 0
			}
			if *dst {
				return v.Line
			}
			return 0
		}
		c.Crisis = true
		flag("crisis", &c.Crisis)
		flag("carries", &c.Carries)
		flag("after", &c.After)
		flag("topic", &c.Topic)
		if line := flag("negates", &c.Negates); line > 0 && c.Weight > 0 {
			r.add(line, path+".negates", "a negation lowers; give it a negative weight")
		}
		if line := flag("timeless", &c.Timeless); line > 0 && c.Weight < 0 {
			r.add(line, path+".timeless", "only a raising cue is timeless; give it a positive weight")
		}
		if line := flag("answers", &c.Answers); line > 0 && c.Weight > 0 {
			r.add(line, path+".answers", "an answer lowers; give it a negative weight")
		}
		c.Phrases, c.lines = texts(r, cm, "phrases", path)
		s.Cues = append(s.Cues, c)
	}

	flags := list(r, m, "red_flags", "")
	if len(flags) == 0 {
		r.add(1, "red_flags", "missing; list the red-flag categories and their signs")
	}
	ids := map[string]bool{}
	for i, n := range flags {
		path := "red_flags[" + strconv.Itoa(i) + "]"
		fm := fields(r, n, path, "id", "category", "crisis", "signs")
		f := RedFlag{Line: n.Line}
		var line int
		f.ID, line = text(r, fm, "id", path, true, n.Line)
		checkID(r, f.ID, line)
		if ids[f.ID] {
			r.add(line, path+".id", "id %q is used twice; ids must be unique", f.ID)
		}
		ids[f.ID] = true
		f.Category, _ = text(r, fm, "category", path, true, n.Line)
		if c := fm["crisis"]; c != nil {
			if err := c.Decode(&f.Crisis); err != nil {
				r.add(c.Line, path+".crisis", "expected true or false")
			}
		}
		f.Signs, f.signLines = texts(r, fm, "signs", path)
		if len(f.Signs) == 0 {
			r.add(n.Line, path+".signs", "a red flag needs at least one sign")
		}
		s.RedFlags = append(s.RedFlags, f)
	}
	if len(*ps) == before {
		compileTriage(&s, concepts, conceptLines, r)
	}
	if len(*ps) == before {
		checkTriage(s, m["red_flags"].Line, r)
	}
	return s
}
