package discord

import (
	"sync"
	"time"
)

// maxTracked bounds the users a cooldown remembers. Past it, users whose
// buckets are full again are forgotten first, then any, so a flood of new
// users cannot grow memory; a forgotten user starts with a full bucket.
const maxTracked = 10000

// cooldown is a token bucket per user: Burst questions at once, then one per
// Every. Buckets that have refilled are forgotten.
type cooldown struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	users   map[string]*bucket
	swept   time.Time
	tracked int // the bound; maxTracked unless a test sets it
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newCooldown(every time.Duration, burst int) *cooldown {
	return &cooldown{every: every, burst: max(burst, 1), users: map[string]*bucket{}, tracked: maxTracked}
}

// allow takes a token for user at now. When there is none it returns false
// and how long until there is.
func (c *cooldown) allow(user string, now time.Time) (bool, time.Duration) {
	if c == nil || c.every <= 0 {
		return true, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	full := time.Duration(c.burst) * c.every
	if now.Sub(c.swept) >= full || len(c.users) >= c.tracked {
		c.sweep(now, full)
	}
	b, ok := c.users[user]
	if !ok {
		b = &bucket{tokens: float64(c.burst), last: now}
		c.users[user] = b
	}
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(float64(c.burst), b.tokens+float64(d)/float64(c.every))
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) * float64(c.every))
	return false, wait
}

// sweep forgets full buckets, and more while over the bound.
func (c *cooldown) sweep(now time.Time, full time.Duration) {
	c.swept = now
	for u, b := range c.users {
		if now.Sub(b.last) >= full {
			delete(c.users, u)
		}
	}
	for u := range c.users {
		if len(c.users) < c.tracked {
			break
		}
		delete(c.users, u)
	}
}

// size is how many users are remembered.
func (c *cooldown) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.users)
}
