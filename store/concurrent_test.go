package store

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

// TestReplicas: several Stores on one database ("replicas", opened at the
// same moment) record questions, unanswered questions and votes from many
// goroutines at once; nothing is lost or counted twice. A voter's repeated
// vote through another replica is refused, and when every goroutine casts
// the same voter's vote at once exactly one counts.
func TestReplicas(t *testing.T) {
	const replicas, workers, perWorker = 3, 4, 25
	forEach(t, func(t *testing.T, b backend) {
		dbURL := b.fresh(t)
		ctx := context.Background()
		opt := Options{Secret: []byte("shared by the replicas")}
		stores := make([]*Store, replicas)
		var wg sync.WaitGroup
		errs := make(chan error, replicas*workers*perWorker*6)
		for r := range stores {
			wg.Go(func() {
				s, err := Open(ctx, dbURL, opt)
				if err != nil {
					errs <- fmt.Errorf("replica %d: %w", r, err)
					return
				}
				stores[r] = s
			})
		}
		wg.Wait()
		for _, s := range stores {
			if s != nil {
				t.Cleanup(func() { s.Close() })
			}
		}
		if len(errs) > 0 {
			t.Fatal(<-errs)
		}

		kinds := []Kind{Answered, NoMatch, OffTopic}
		texts := []string{"Is shockwave covered by insurance?", "how long does recovery take"}
		results := make(chan VoteResult, replicas*workers)
		check := func(got VoteResult, err error, want VoteResult, what string) {
			if err != nil {
				errs <- fmt.Errorf("%s: %w", what, err)
			} else if got != want {
				errs <- fmt.Errorf("%s: %v, want %v", what, got, want)
			}
		}
		for r := range replicas {
			for w := range workers {
				wg.Go(func() {
					s := stores[r]
					// every goroutine casts the same voter's vote on the same answer
					got, err := s.Vote(ctx, Vote{Entry: "contested", Answer: "a", Voter: "everyone", Up: true, At: t0})
					if err != nil {
						errs <- err
					}
					results <- got
					for i := range perWorker {
						err := s.RecordQuestion(ctx, Event{Guild: "g", Kind: kinds[i%3], EntryID: "e", Urgent: i%5 == 0,
							Latency: time.Duration(i) * time.Millisecond, At: t0})
						if err != nil {
							errs <- err
						}
						if _, err := s.RecordUnanswered(ctx, Question{Guild: "g", Kind: NoMatch, Text: texts[i%2], At: t0}); err != nil {
							errs <- err
						}
						v := Vote{Guild: "g", Entry: fmt.Sprint("e", i%2), Answer: fmt.Sprint("m", i%4),
							Voter: fmt.Sprintf("r%d-w%d-i%d", r, w, i), Up: i%3 != 0, At: t0}
						got, err := s.Vote(ctx, v)
						check(got, err, Counted, "first vote")
						got, err = stores[(r+1)%replicas].Vote(ctx, v)
						check(got, err, Repeated, "same vote through another replica")
						if i%7 == 0 {
							v.Up = !v.Up
							got, err = stores[(r+2)%replicas].Vote(ctx, v)
							check(got, err, Changed, "changed vote through a third replica")
						}
					}
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		close(results)
		tally := map[VoteResult]int{}
		for r := range results {
			tally[r]++
		}
		if want := map[VoteResult]int{Counted: 1, Repeated: replicas*workers - 1}; !reflect.DeepEqual(tally, want) {
			t.Errorf("the same vote from %d goroutines: %v, want %v", replicas*workers, tally, want)
		}

		// What every goroutine did, counted.
		var want Stats
		up, down := map[string]int64{}, map[string]int64{}
		for range replicas * workers {
			for i := range perWorker {
				want.Questions++
				switch kinds[i%3] {
				case Answered:
					want.Answered++
				case NoMatch:
					want.NoMatch++
				case OffTopic:
					want.OffTopic++
				}
				if i%5 == 0 {
					want.Urgent++
				}
				if final := (i%3 != 0) != (i%7 == 0); final {
					up[fmt.Sprint("e", i%2)]++
				} else {
					down[fmt.Sprint("e", i%2)]++
				}
			}
		}
		want.Votes = []EntryVotes{{"contested", 1, 0}, {"e0", up["e0"], down["e0"]}, {"e1", up["e1"], down["e1"]}}
		got, err := stores[0].Stats(ctx, "", t0)
		if err != nil {
			t.Fatal(err)
		}
		got.P50, got.P99 = 0, 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Stats:\n got %+v\nwant %+v", got, want)
		}
		groups, err := stores[1].Unanswered(ctx, "g", t0, 0)
		if err != nil {
			t.Fatal(err)
		}
		even := replicas * workers * ((perWorker + 1) / 2) // texts[0], asked when i is even
		odd := replicas*workers*perWorker - even
		if len(groups) != 2 || groups[0].Count != even || groups[1].Count != odd {
			t.Errorf("Unanswered: %d groups, want 2 of %d and %d: %+v", len(groups), even, odd, groups)
		}
	})
}
