package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// RESTClient is the HTTP client for Discord's REST API: requests go to
// apiBase when set (e.g. "http://127.0.0.1:8080", keeping the path
// /api/v9/...), and through instrument when set (e.g. a metrics transport).
func RESTClient(apiBase string, instrument func(http.RoundTripper) http.RoundTripper) (*http.Client, error) {
	var tr http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
	if apiBase != "" {
		base, err := url.Parse(apiBase)
		if err != nil || base.Scheme == "" || base.Host == "" {
			return nil, fmt.Errorf("DISCORD_API_BASE=%q: use a base URL such as http://127.0.0.1:8080", apiBase)
		}
		tr = rebase{base: base, next: tr}
	}
	if instrument != nil {
		tr = instrument(tr)
	}
	return &http.Client{Timeout: 20 * time.Second, Transport: tr}, nil
}

// rebase sends every request to base, keeping its path and query (and
// prefixing base's own path, for a proxy mounted below /).
type rebase struct {
	base *url.URL
	next http.RoundTripper
}

func (rt rebase) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme = rt.base.Scheme
	r.URL.Host = rt.base.Host
	r.URL.Path = strings.TrimSuffix(rt.base.Path, "/") + r.URL.Path
	r.Host = rt.base.Host
	return rt.next.RoundTrip(r)
}
