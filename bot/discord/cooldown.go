package discord

import (
	"container/list"
	"sync"
	"time"
)

// maxTracked bounds the users a cooldown remembers. Past it, the user seen
// least recently is forgotten, so a flood of new users cannot grow memory; a
// forgotten user starts with a full bucket.
const maxTracked = 10000

// cooldown is a token bucket per user: Burst questions at once, then one per
// Every. Buckets that have refilled are forgotten.
//
// The buckets sit in a list from least to most recently used. A bucket is
// full again Burst×Every after its last use, so the full ones are always at
// the front: forgetting them, or the least recent one when over the bound,
// takes constant time per question however many users are tracked.
type cooldown struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	users   map[string]*list.Element // of *bucket
	lru     list.List                // front: least recently used
	tracked int                      // the bound; maxTracked unless a test sets it
}

type bucket struct {
	user   string
	tokens float64
	last   time.Time
}

func newCooldown(every time.Duration, burst int) *cooldown {
	return &cooldown{every: every, burst: max(burst, 1), users: map[string]*list.Element{}, tracked: maxTracked}
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
	c.forget(now, full)
	var b *bucket
	if e, ok := c.users[user]; ok {
		b = e.Value.(*bucket)
		c.lru.MoveToBack(e)
	} else {
		for len(c.users) >= c.tracked {
			c.remove(c.lru.Front())
		}
		b = &bucket{user: user, tokens: float64(c.burst), last: now}
		c.users[user] = c.lru.PushBack(b)
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

// forget drops the buckets that are full again, least recently used first.
func (c *cooldown) forget(now time.Time, full time.Duration) {
	for e := c.lru.Front(); e != nil; e = c.lru.Front() {
		if now.Sub(e.Value.(*bucket).last) < full {
			return
		}
		c.remove(e)
	}
}

func (c *cooldown) remove(e *list.Element) {
	delete(c.users, e.Value.(*bucket).user)
	c.lru.Remove(e)
}

// size is how many users are remembered.
func (c *cooldown) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.users)
}
