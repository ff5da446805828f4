package discord

import (
	"time"

	"github.com/avnbot/avnbot/bot"
)

// Observer is told what operators count; *metrics.Metrics has it. It is
// given no ids and no text: questions by kind, refused requests by reason.
// Its methods must be safe for concurrent use.
type Observer interface {
	// Question: one question asked, of kind answered, no_match, off_topic,
	// urgent, crisis or error, and how long the assistant took.
	Question(kind string, took time.Duration)
	// Rejected: the HTTP endpoint refused a request, for reason
	// bad_signature, stale, replay, too_large or bad_json.
	Rejected(reason string)
	RateLimitWait() // Discord answered 429 and the bot waits to retry
	Reconnect()     // the gateway connection was lost; reconnecting
	Resume()        // a gateway session resumed
	Zombie()        // a gateway connection stopped acknowledging heartbeats
	StartRetry()    // command registration retried at start-up
	Deferred()      // an interaction got a deferred response
	Panic()         // a handler panicked
}

type noObserver struct{}

func (noObserver) Question(string, time.Duration) {}
func (noObserver) Rejected(string)                {}
func (noObserver) RateLimitWait()                 {}
func (noObserver) Reconnect()                     {}
func (noObserver) Resume()                        {}
func (noObserver) Zombie()                        {}
func (noObserver) StartRetry()                    {}
func (noObserver) Deferred()                      {}
func (noObserver) Panic()                         {}

func observer(o Observer) Observer {
	if o == nil {
		return noObserver{}
	}
	return o
}

// questionKind is the kind an answer is counted as: red flags first.
func questionKind(a bot.Answer, err error) string {
	switch {
	case err != nil:
		return "error"
	case a.Crisis:
		return "crisis"
	case a.Urgent:
		return "urgent"
	}
	return string(a.Kind)
}
