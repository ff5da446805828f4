package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// BenchmarkAskCommand is the start-up cost of `avnbot ask QUESTION` less the
// process exec: load and validate the embedded knowledge, build the index,
// answer and render the reply.
func BenchmarkAskCommand(b *testing.B) {
	b.Setenv("KNOWLEDGE_DIR", "") // the embedded knowledge
	ctx := context.Background()
	args := []string{"ask", "how many sessions will I need?"}
	b.ReportAllocs()
	for b.Loop() {
		var out strings.Builder
		if code := Main(ctx, args, strings.NewReader(""), &out, io.Discard); code != 0 {
			b.Fatalf("avnbot ask: exit %d", code)
		}
		if !strings.Contains(out.String(), "sessions") {
			b.Fatalf("avnbot ask: unexpected reply %q", out.String())
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(time.Millisecond)/float64(b.N), "ms/op")
}
