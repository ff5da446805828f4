package discordtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// apiPrefix is where discordgo's Endpoint variables put the REST API.
const apiPrefix = "/api/v9"

// Request is a REST request the fake received.
type Request struct {
	Method string
	Path   string // with the /api/v9 prefix, without the query
	Query  string
	Header http.Header
	Body   []byte
	Status int // the status the fake answered
}

// JSON decodes the request body into v.
func (r Request) JSON(v any) error { return json.Unmarshal(r.Body, v) }

type rest struct {
	mu       sync.Mutex
	changed  chan struct{}
	requests []Request
	consumed []bool
	limits   []rateLimit
	nextID   int64
}

type rateLimit struct {
	method, pattern string
	retryAfter      time.Duration
}

func (r *rest) init() {
	r.changed = make(chan struct{})
	r.nextID = 200000000000000000
}

// snowflake returns a new numeric id; r.mu must be held.
func (r *rest) snowflake() string {
	r.nextID++
	return strconv.FormatInt(r.nextID, 10)
}

// Requests returns every REST request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.rest.mu.Lock()
	defer s.rest.mu.Unlock()
	return append([]Request(nil), s.rest.requests...)
}

// WaitRequest returns the oldest request matching method and pathPattern
// that no earlier WaitRequest returned, waiting for one to arrive. Each
// request is returned once, so a test can wait for the same route twice
// and get two requests, whether they came before the call or after.
//
// pathPattern is a path with optional /api/v9 prefix whose segments may be
// wildcards: "{name}" matches one segment, "{name...}" the rest, e.g.
// "/interactions/{id}/{token}/callback". An empty method matches any.
func (s *Server) WaitRequest(ctx context.Context, method, pathPattern string) (Request, error) {
	r := &s.rest
	for {
		r.mu.Lock()
		for i, req := range r.requests {
			if !r.consumed[i] && matchRequest(method, pathPattern, req.Method, req.Path) {
				r.consumed[i] = true
				r.mu.Unlock()
				return req, nil
			}
		}
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Request{}, ctx.Err()
		}
	}
}

// RateLimitNext makes the next request matching method and pathPattern
// (as in WaitRequest) answer 429 with retry_after in the JSON body and
// X-RateLimit-Reset-After, as Discord does; later ones succeed.
func (s *Server) RateLimitNext(method, pathPattern string, retryAfter time.Duration) {
	s.rest.mu.Lock()
	defer s.rest.mu.Unlock()
	s.rest.limits = append(s.rest.limits, rateLimit{method, pathPattern, retryAfter})
}

func matchRequest(method, pattern, gotMethod, gotPath string) bool {
	if method != "" && !strings.EqualFold(method, gotMethod) {
		return false
	}
	if !strings.HasPrefix(pattern, apiPrefix+"/") {
		pattern = apiPrefix + pattern
	}
	_, ok := matchPath(pattern, gotPath)
	return ok
}

// matchPath matches path against a pattern with {name} and {name...}
// segments and returns the wildcard values by name.
func matchPath(pattern, path string) (map[string]string, bool) {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	vars := map[string]string{}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "...}") {
			vars[strings.TrimSuffix(p[1:], "...}")] = strings.Join(segs[min(i, len(segs)):], "/")
			return vars, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if segs[i] == "" {
				return nil, false
			}
			vars[p[1:len(p)-1]] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return vars, len(ps) == len(segs)
}

func (s *Server) serveREST(w http.ResponseWriter, hr *http.Request) {
	body, _ := io.ReadAll(hr.Body)
	req := Request{Method: hr.Method, Path: hr.URL.Path, Query: hr.URL.RawQuery, Header: hr.Header.Clone(), Body: body}

	r := &s.rest
	r.mu.Lock()
	status, answer, limited := http.StatusOK, any(nil), time.Duration(-1)
	for i, l := range r.limits {
		if matchRequest(l.method, l.pattern, req.Method, req.Path) {
			limited = l.retryAfter
			r.limits = append(r.limits[:i], r.limits[i+1:]...)
			break
		}
	}
	if limited >= 0 {
		status = http.StatusTooManyRequests
		answer = map[string]any{"message": "You are being rate limited.", "retry_after": limited.Seconds(), "global": false}
	} else {
		status, answer = s.answer(req)
	}
	req.Status = status
	r.requests = append(r.requests, req)
	r.consumed = append(r.consumed, false)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()

	if s.opts.validateAll && status != http.StatusTooManyRequests {
		report(s.t, req, func(err error) { s.skipLog.Do(func() { s.t.Log(err) }) })
	}
	if limited >= 0 {
		secs := strconv.FormatFloat(limited.Seconds(), 'f', 3, 64)
		w.Header().Set("X-RateLimit-Limit", "1")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset-After", secs)
		w.Header().Set("X-RateLimit-Scope", "user")
	}
	if answer == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(answer)
}

// answer gives the default status and JSON body for a request; s.rest.mu
// must be held.
func (s *Server) answer(req Request) (int, any) {
	route := func(method, pattern string) bool {
		return req.Method == method && matchRequest("", pattern, req.Method, req.Path)
	}
	switch {
	case route("GET", "/gateway"), route("GET", "/gateway/bot"):
		return http.StatusOK, map[string]any{
			"url": s.GatewayURL(), "shards": 1,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1},
		}
	case route("GET", "/users/@me"):
		return http.StatusOK, botUser()
	case route("POST", "/interactions/{id}/{token}/callback"):
		return http.StatusNoContent, nil
	case route("POST", "/webhooks/{app}/{token}"),
		route("PATCH", "/webhooks/{app}/{token}/messages/{message}"),
		route("GET", "/webhooks/{app}/{token}/messages/{message}"):
		return http.StatusOK, s.message(req, "")
	case route("DELETE", "/webhooks/{app}/{token}/messages/{message}"):
		return http.StatusNoContent, nil
	case route("POST", "/channels/{channel}/messages"):
		vars, _ := matchPath(apiPrefix+"/channels/{channel}/messages", req.Path)
		return http.StatusOK, s.message(req, vars["channel"])
	case route("PUT", "/applications/{app}/commands"), route("PUT", "/applications/{app}/guilds/{guild}/commands"):
		var cmds []map[string]any
		if json.Unmarshal(req.Body, &cmds) != nil {
			return http.StatusBadRequest, map[string]any{"message": "400: Bad Request", "code": 50109}
		}
		vars, _ := matchPath(apiPrefix+"/applications/{app}/guilds/{guild}/commands", req.Path)
		for _, c := range cmds {
			c["id"] = s.rest.snowflake()
			c["application_id"] = ApplicationID
			c["version"] = s.rest.snowflake()
			if g := vars["guild"]; g != "" {
				c["guild_id"] = g
			}
		}
		return http.StatusOK, cmds
	}
	return http.StatusNotFound, notFoundBody
}

var notFoundBody = map[string]any{"message": "404: Not Found", "code": 0}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	json.NewEncoder(w).Encode(notFoundBody)
}

func botUser() map[string]any {
	return map[string]any{"id": BotUserID, "username": BotUsername, "discriminator": "0", "bot": true}
}

// message echoes a message body back as a message object with an id.
func (s *Server) message(req Request, channelID string) map[string]any {
	m := map[string]any{}
	json.Unmarshal(req.Body, &m)
	if m == nil {
		m = map[string]any{}
	}
	delete(m, "allowed_mentions")
	delete(m, "message_reference")
	m["id"] = s.rest.snowflake()
	if channelID == "" {
		channelID = "300000000000000001"
	}
	m["channel_id"] = channelID
	m["author"] = botUser()
	m["timestamp"] = time.Now().UTC().Format(time.RFC3339)
	m["type"] = 0
	if _, ok := m["content"]; !ok {
		m["content"] = ""
	}
	return m
}
