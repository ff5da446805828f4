package discord

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkEndpointLoad posts b.N signed /ask interactions with
// 6,000-character questions to the HTTP endpoint over real connections, 50
// at a time, answered by the real assistant, and reports the HTTP response
// time (what Discord's 3-second deadline applies to): p50, p99 and max, and
// the share answered with a deferred response. "sync" never defers (the
// endpoint before deferral); "defer" defers after HTTPDeferAfter, and the
// deferred answers are edited in on the fake Discord. Run it with
// -benchtime=500x.
func BenchmarkEndpointLoad(b *testing.B) {
	const concurrency = 50
	sentence := "I was told I have avascular necrosis in my left hip after steroids and I wonder how many focused shockwave sessions I would need. "
	question := strings.Repeat(sentence, 6000/len(sentence)+1)[:6000]
	for _, mode := range []struct {
		name  string
		after time.Duration
	}{{"sync", time.Hour}, {"defer", HTTPDeferAfter}} {
		b.Run(mode.name, func(b *testing.B) {
			f := newHTTPFixture(b, sharedAssistant(b), mode.after)
			bodies := make([][]byte, b.N)
			for i := range bodies {
				bodies[i] = f.payload(b, "ask_guild", "How long does a focused shockwave session take?", question)
			}
			lat := make([]time.Duration, b.N)
			deferred := make([]bool, b.N)
			work := make(chan int)
			var wg sync.WaitGroup
			b.ResetTimer()
			for range concurrency {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range work {
						start := time.Now()
						code, body := f.post(b, bodies[i], f.priv)
						lat[i] = time.Since(start)
						if code != http.StatusOK {
							b.Errorf("status %d: %s", code, body)
						}
						deferred[i] = strings.HasPrefix(string(body), `{"type":5`)
					}
				}()
			}
			for i := range b.N {
				work <- i
			}
			close(work)
			wg.Wait()
			b.StopTimer()
			f.e.Wait(testCtx(b))
			slices.Sort(lat)
			n := 0
			for _, d := range deferred {
				if d {
					n++
				}
			}
			b.ReportMetric(lat[len(lat)/2].Seconds()*1000, "p50-ms")
			b.ReportMetric(lat[len(lat)*99/100].Seconds()*1000, "p99-ms")
			b.ReportMetric(lat[len(lat)-1].Seconds()*1000, "max-ms")
			b.ReportMetric(float64(n)/float64(b.N)*100, "deferred-%")
		})
	}
}
