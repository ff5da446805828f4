package discord

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot/discord/discordtest"
)

// heap is the live heap after a full collection.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkInteractions sends b.N INTERACTION_CREATE events (/faq, answered
// by the real assistant) one after another through the fake Discord and
// times each from dispatch to the callback reaching the fake. Run it with
// -benchtime=10000x. heap-* are the live heap before and after, which
// includes the fake's record of every request; fake-retained-B/op is what
// the fake alone keeps per callback (measured by sending it the same
// requests again directly), and bot-retained-B/op the rest.
func BenchmarkInteractions(b *testing.B) {
	h := startBot(b)
	h.ready(b)
	ctx := context.Background()
	h.dispatch(b, "INTERACTION_CREATE", gwPayload(b, "faq_command"))
	discordtest.Validate(b, h.wait(b, "POST", callbackPath))
	events := make([][]byte, b.N)
	for i := range events {
		events[i] = gwPayload(b, "faq_command")
	}
	lat := make([]time.Duration, 0, b.N)
	bucketsBefore := buckets(h.bot.s)
	before := heap()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if err := h.srv.Dispatch("INTERACTION_CREATE", rawJSON(events[i])); err != nil {
			b.Fatal(err)
		}
		if _, err := h.srv.WaitRequest(ctx, "POST", callbackPath); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	events = nil
	after := heap()
	// What the fake alone keeps for as many callbacks: the same requests
	// sent to it directly.
	reqs := h.srv.Requests()
	sent := reqs[len(reqs)-b.N:]
	var bodies int
	for _, r := range sent {
		bodies += len(r.Body)
	}
	for _, r := range sent {
		resp, err := http.Post(h.srv.URL()+r.Path, "application/json", bytes.NewReader(r.Body))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	reqs, sent = nil, nil
	fake := int64(heap()) - int64(after)
	bot := int64(after) - int64(before) - fake
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(before)/1e6, "heap-before-MB")
	b.ReportMetric(float64(after)/1e6, "heap-after-MB")
	b.ReportMetric(float64(bodies)/1e6, "fake-bodies-MB")
	b.ReportMetric(float64(fake)/float64(b.N), "fake-retained-B/op")
	b.ReportMetric(float64(bot)/float64(b.N), "bot-retained-B/op")
	b.ReportMetric(float64(buckets(h.bot.s)-bucketsBefore), "new-buckets")
}

// rawJSON is a raw JSON payload for Dispatch.
type rawJSON []byte

func (j rawJSON) MarshalJSON() ([]byte, error) { return j, nil }

// BenchmarkCallbackMemory measures what answering an interaction leaves on
// the heap: through discordgo's InteractionRespond (a rate-limit bucket per
// interaction token, upstream #1333) and through webhookClient. The
// server keeps nothing.
func BenchmarkCallbackMemory(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	b.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	client := &http.Client{Transport: rebase{base: base, next: http.DefaultTransport}}
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}
	// A real interaction token is about 200 characters.
	pad := strings.Repeat("t", 200)
	token := func(i int) string { return strconv.Itoa(i) + pad }
	for _, mode := range []string{"discordgo", "webhookClient"} {
		b.Run(mode, func(b *testing.B) {
			s, _ := discordgo.New("Bot x")
			s.Client = client
			c := &webhookClient{client: client, agent: s.UserAgent, log: slog.New(slog.DiscardHandler)}
			before := heap()
			for i := range b.N {
				it := &discordgo.Interaction{ID: strconv.Itoa(i), Token: token(i)}
				var err error
				if mode == "discordgo" {
					err = s.InteractionRespond(it, resp)
				} else {
					err = c.callback(context.Background(), it, resp)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			after := heap()
			b.ReportMetric(float64(int64(after)-int64(before))/float64(b.N), "retained-B/op")
			b.ReportMetric(float64(buckets(s)), "buckets")
			runtime.KeepAlive(s)
		})
	}
}
