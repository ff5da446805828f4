package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkRecordQuestion: one question's outcome written, one after another.
func BenchmarkRecordQuestion(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s := open(b, be.fresh(b), Options{})
			ctx := context.Background()
			e := Event{Guild: "g", Kind: Answered, EntryID: "session-length", Latency: 3 * time.Millisecond, At: t0}
			for b.Loop() {
				if err := s.RecordQuestion(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecordQuestionParallel: the same from GOMAXPROCS goroutines.
func BenchmarkRecordQuestionParallel(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s := open(b, be.fresh(b), Options{})
			ctx := context.Background()
			e := Event{Guild: "g", Kind: NoMatch, Latency: 3 * time.Millisecond, At: t0}
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := s.RecordQuestion(ctx, e); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkUnanswered: the moderators' list over a month of open questions
// (2,000 and 20,000 rows, 400 distinct phrasings of 100 topics), top 20 groups.
func BenchmarkUnanswered(b *testing.B) {
	words := []string{"shockwave", "insurance", "recovery", "pain", "walking", "crutches", "steroids",
		"cost", "clinic", "sessions", "mri", "stage", "collapse", "surgery", "core", "decompression",
		"bisphosphonates", "running", "swimming", "work"}
	starts := []string{"how about", "what if I have", "can you tell me about", "is there any advice on"}
	for _, be := range backends() {
		for _, rows := range []int{2000, 20000} {
			b.Run(fmt.Sprintf("%s/rows=%d", be.name, rows), func(b *testing.B) {
				s := open(b, be.fresh(b), Options{})
				ctx := context.Background()
				for i := range rows {
					topic := i % 100
					text := fmt.Sprintf("%s %s %s and %s?", starts[i/100%4], words[topic%20], words[topic/5%20], words[(topic*7)%20])
					at := t0.Add(time.Duration(i) * 30 * 24 * time.Hour / time.Duration(rows))
					if _, err := s.RecordUnanswered(ctx, Question{Guild: "g", Kind: NoMatch, Text: text, At: at}); err != nil {
						b.Fatal(err)
					}
				}
				var groups []Group
				for b.Loop() {
					var err error
					if groups, err = s.Unanswered(ctx, "g", t0, 20); err != nil {
						b.Fatal(err)
					}
				}
				if len(groups) != 20 {
					b.Fatalf("%d groups, want 20", len(groups))
				}
			})
		}
	}
}

// BenchmarkVote: a first vote, each by a new voter.
func BenchmarkVote(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s := open(b, be.fresh(b), Options{})
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				if _, err := s.Vote(ctx, Vote{Guild: "g", Entry: "e", Answer: "m", Voter: fmt.Sprint(i), Up: true, At: t0}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
