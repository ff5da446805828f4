package knowledge

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file reads YAML as nodes, so every problem keeps its line number.

// parseYAML parses src into its top-level node. A syntax error is reported
// where it is, in a moderator's words, and nil is returned.
func parseYAML(r report, src []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line, col, msg := syntaxError(src, err, r.offset)
		r.addAt(line, col, "", "%s", msg)
		return nil
	}
	if len(doc.Content) == 0 {
		r.add(0, "", "is empty; see the comments in the embedded copy (knowledge/content) for what it must hold")
		return nil
	}
	checkJoinedItems(r, doc.Content[0], strings.Split(string(src), "\n"))
	return doc.Content[0]
}

// fields maps the keys of a YAML mapping to their values, reporting unknown
// and repeated keys. known lists the allowed keys.
func fields(r report, n *yaml.Node, path string, known ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n == nil {
		return out
	}
	if n.Kind != yaml.MappingNode {
		r.add(n.Line, path, "expected a set of \"key: value\" lines, found %s", kindName(n))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := join(path, k.Value)
		switch {
		case !contains(known, k.Value):
			hint := "allowed keys are " + strings.Join(known, ", ")
			if s := closest(k.Value, known); s != "" {
				hint = "did you mean \"" + s + "\"?"
			}
			r.add(k.Line, name, "unknown key; %s", hint)
		case out[k.Value] != nil:
			r.add(k.Line, name, "key given twice; keep one")
		default:
			out[k.Value] = v
		}
	}
	return out
}

// text returns a scalar string field; a missing required one is reported.
func text(r report, m map[string]*yaml.Node, key, path string, required bool, at int) (string, int) {
	n := m[key]
	if n == nil {
		if required {
			r.add(at, join(path, key), "missing; add \"%s: ...\"", key)
		}
		return "", at
	}
	if n.Kind != yaml.ScalarNode {
		r.add(n.Line, join(path, key), "expected text, found %s", kindName(n))
		return "", n.Line
	}
	v := strings.TrimSpace(n.Value)
	if v == "" && required {
		r.add(n.Line, join(path, key), "is empty; write the %s", key)
	}
	return v, n.Line
}

// list returns the nodes of a sequence field (a single scalar is a list of one).
func list(r report, m map[string]*yaml.Node, key, path string) []*yaml.Node {
	n := m[key]
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.SequenceNode:
		return n.Content
	case n.Kind == yaml.ScalarNode && n.Tag != "!!null":
		return []*yaml.Node{n}
	case n.Tag == "!!null":
		return nil
	}
	r.add(n.Line, join(path, key), "expected a list (lines starting with \"- \"), found %s", kindName(n))
	return nil
}

// texts returns a list of strings, reporting items that are not text.
func texts(r report, m map[string]*yaml.Node, key, path string) ([]string, []int) {
	var out []string
	var lines []int
	for i, n := range list(r, m, key, path) {
		if n.Kind != yaml.ScalarNode || strings.TrimSpace(n.Value) == "" {
			r.add(n.Line, path+key+"["+strconv.Itoa(i)+"]", "expected non-empty text, found %s", kindName(n))
			continue
		}
		out = append(out, strings.TrimSpace(n.Value))
		lines = append(lines, n.Line)
	}
	return out, lines
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a set of keys"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return "text"
	}
	return "something else"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// closest returns the known key within two edits of k, if any.
func closest(k string, known []string) string {
	best, bestD := "", 3
	for _, c := range known {
		if d := Distance(k, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Distance is the Damerau-Levenshtein (optimal string alignment) distance
// between a and b, counted in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
