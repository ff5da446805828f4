package discordtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// specFile is where Discord's OpenAPI description lives, relative to a
// folder above the working directory (the repo's parent in CI and here).
const specFile = "shared/discord/openapi.json"

// maxEmbedChars is Discord's limit on the characters of all embeds of one
// message, which the OpenAPI description cannot express.
const maxEmbedChars = 6000

// ErrNoSpec is returned by Check when shared/discord/openapi.json is not in
// any folder above the working directory.
var ErrNoSpec = errors.New("discordtest: " + specFile + " not found above the working directory; OpenAPI validation skipped")

var spec struct {
	once sync.Once
	doc  *openapi3.T
	err  error
}

// loadSpec loads the OpenAPI description once per process.
func loadSpec() (*openapi3.T, error) {
	spec.once.Do(func() {
		path, err := findSpec()
		if err != nil {
			spec.err = err
			return
		}
		doc, err := openapi3.NewLoader().LoadFromFile(path)
		if err != nil {
			spec.err = fmt.Errorf("load %s: %w", path, err)
			return
		}
		spec.doc = doc
	})
	return spec.doc, spec.err
}

func findSpec() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", ErrNoSpec
	}
	return findSpecFrom(dir)
}

// findSpecFrom looks for specFile below dir and each folder above it.
func findSpecFrom(dir string) (string, error) {
	for {
		p := filepath.Join(dir, specFile)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoSpec
		}
		dir = parent
	}
}

// Validate checks req with Check and reports each problem with t.Errorf.
// Without the OpenAPI description it logs that the spec part was skipped
// and still applies the house rules.
func Validate(t testing.TB, req Request) {
	t.Helper()
	report(t, req, func(err error) { t.Log(err) })
}

// report checks req and reports its problems to t; skipped is called when
// the OpenAPI description is absent.
func report(t testing.TB, req Request, skipped func(error)) {
	t.Helper()
	problems, err := Check(req)
	switch {
	case errors.Is(err, ErrNoSpec):
		skipped(err)
	case err != nil:
		t.Errorf("validate %s %s: %v", req.Method, req.Path, err)
	}
	for _, p := range problems {
		t.Errorf("%s %s: %s", req.Method, req.Path, p)
	}
}

// Check validates a request against Discord's OpenAPI description (v10;
// the /api/v9 prefix is mapped to it) and the house rules the description
// cannot express, for every body that creates or edits a message:
//   - all embeds' title, description, field names and values, footer text
//     and author name add up to at most 6000 characters;
//   - allowed_mentions is set with an empty (or null) parse list and no
//     users, roles or replied_user, so the bot never pings anyone.
//
// It returns the problems found. err is ErrNoSpec when the description is
// absent (the house rules are still checked) or a failure to check at all.
func Check(req Request) (problems []string, err error) {
	problems = houseRules(req)
	doc, err := loadSpec()
	if err != nil {
		return problems, err
	}
	route, params, ok := findRoute(doc, req.Method, strings.TrimPrefix(req.Path, apiPrefix))
	if !ok {
		return append(problems, "no such operation in Discord's OpenAPI description"), nil
	}
	u := "https://discord.com/api/v10" + strings.TrimPrefix(req.Path, apiPrefix)
	if req.Query != "" {
		u += "?" + req.Query
	}
	body, more := permissionsAsStrings(req)
	problems = append(problems, more...)
	hr, err := http.NewRequest(req.Method, u, bytes.NewReader(body))
	if err != nil {
		return problems, fmt.Errorf("build request: %w", err)
	}
	hr.Header = req.Header.Clone()
	if hr.Header == nil {
		hr.Header = http.Header{}
	}
	if len(req.Body) > 0 && hr.Header.Get("Content-Type") == "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		MultiError:          true,
		SkipSettingDefaults: true,
	}
	input := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range me {
				problems = append(problems, "OpenAPI: "+e.Error())
			}
		} else {
			problems = append(problems, "OpenAPI: "+err.Error())
		}
	}
	return problems, nil
}

// findRoute finds the operation whose path template matches path, the one
// with the most literal segments when several do (/users/@me before
// /users/{user_id}).
func findRoute(doc *openapi3.T, method, path string) (*routers.Route, map[string]string, bool) {
	var best *routers.Route
	var bestVars map[string]string
	for tmpl, item := range doc.Paths.Map() {
		op := item.GetOperation(strings.ToUpper(method))
		if op == nil {
			continue
		}
		vars, ok := matchPath(tmpl, path)
		if !ok || (best != nil && len(vars) >= len(bestVars)) {
			continue
		}
		best = &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: strings.ToUpper(method), Operation: op}
		bestVars = vars
	}
	return best, bestVars, best != nil
}

// message is the part of a message body the house rules look at.
type message struct {
	Embeds []struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Fields      []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"fields"`
		Footer *struct {
			Text string `json:"text"`
		} `json:"footer"`
		Author *struct {
			Name string `json:"name"`
		} `json:"author"`
	} `json:"embeds"`
	AllowedMentions *struct {
		Parse       []string `json:"parse"`
		Users       []string `json:"users"`
		Roles       []string `json:"roles"`
		RepliedUser bool     `json:"replied_user"`
	} `json:"allowed_mentions"`
}

// houseRules checks the message in req, if it carries one.
func houseRules(req Request) []string {
	raw := messageBody(req)
	if raw == nil {
		return nil
	}
	var m message
	if err := json.Unmarshal(raw, &m); err != nil {
		return []string{fmt.Sprintf("message body is not a JSON message object: %v", err)}
	}
	var problems []string
	total := 0
	for _, e := range m.Embeds {
		n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
		for _, f := range e.Fields {
			n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
		}
		if e.Footer != nil {
			n += utf8.RuneCountInString(e.Footer.Text)
		}
		if e.Author != nil {
			n += utf8.RuneCountInString(e.Author.Name)
		}
		total += n
	}
	if total > maxEmbedChars {
		problems = append(problems, fmt.Sprintf("embeds have %d characters in all, Discord allows %d (title, description, fields, footer text and author name)", total, maxEmbedChars))
	}
	switch am := m.AllowedMentions; {
	case am == nil:
		problems = append(problems, `allowed_mentions is missing; set {"parse": []} so answers never ping anyone`)
	case len(am.Parse) > 0 || len(am.Users) > 0 || len(am.Roles) > 0 || am.RepliedUser:
		problems = append(problems, fmt.Sprintf(`allowed_mentions allows pings (parse %q, users %q, roles %q, replied_user %v); set {"parse": []}`, am.Parse, am.Users, am.Roles, am.RepliedUser))
	}
	return problems
}

// messageBody returns the JSON message a request creates or edits, or nil.
func messageBody(req Request) json.RawMessage {
	path := strings.TrimPrefix(req.Path, apiPrefix)
	is := func(method, pattern string) bool {
		_, ok := matchPath(pattern, path)
		return req.Method == method && ok
	}
	body := jsonPart(req)
	switch {
	case is("POST", "/channels/{c}/messages"), is("PATCH", "/channels/{c}/messages/{m}"),
		is("POST", "/webhooks/{a}/{t}"), is("PATCH", "/webhooks/{a}/{t}/messages/{m}"):
		return body
	case is("POST", "/interactions/{i}/{t}/callback"):
		var cb struct {
			Type int             `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		// 4 CHANNEL_MESSAGE_WITH_SOURCE and 7 UPDATE_MESSAGE carry a message.
		if json.Unmarshal(body, &cb) == nil && (cb.Type == 4 || cb.Type == 7) {
			if len(cb.Data) == 0 || string(cb.Data) == "null" {
				return json.RawMessage("{}")
			}
			return cb.Data
		}
	}
	return nil
}

// jsonPart returns the JSON body, or the payload_json part of a multipart
// body (discordgo sends multipart when a message has files).
func jsonPart(req Request) []byte {
	mt, params, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return req.Body
	}
	mr := multipart.NewReader(bytes.NewReader(req.Body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil
		}
		if p.FormName() == "payload_json" {
			b, _ := io.ReadAll(p)
			return b
		}
	}
}

// permissionsAsStrings returns the body of req for validation. Discord's
// documentation gives an application command's default_member_permissions
// as a string (a bit set that does not fit a JSON number), the API takes
// it so, and discordgo sends it so; the OpenAPI description alone says
// integer. A string of digits is therefore checked as the integer it
// stands for, and anything else in that string is a problem.
func permissionsAsStrings(req Request) ([]byte, []string) {
	path := strings.TrimPrefix(req.Path, apiPrefix)
	_, global := matchPath("/applications/{a}/commands", path)
	_, guild := matchPath("/applications/{a}/guilds/{g}/commands", path)
	if (!global && !guild) || (req.Method != "PUT" && req.Method != "POST") {
		return req.Body, nil
	}
	var cmds []map[string]any
	single := false
	if err := json.Unmarshal(req.Body, &cmds); err != nil {
		var one map[string]any
		if json.Unmarshal(req.Body, &one) != nil {
			return req.Body, nil
		}
		cmds, single = []map[string]any{one}, true
	}
	var problems []string
	for _, c := range cmds {
		s, ok := c["default_member_permissions"].(string)
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			problems = append(problems, fmt.Sprintf("command %v: default_member_permissions %q is not a permission bit set", c["name"], s))
			continue
		}
		c["default_member_permissions"] = n
	}
	var out []byte
	if single {
		out, _ = json.Marshal(cmds[0])
	} else {
		out, _ = json.Marshal(cmds)
	}
	return out, problems
}
