package discord

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkCooldownNewUser: one question from a user never seen before,
// with the cooldown already tracking 10,000 users whose buckets are not yet
// full again (the worst case: nobody can be forgotten for having waited).
func BenchmarkCooldownNewUser(b *testing.B) {
	for _, tracked := range []int{1000, 10000} {
		b.Run(strconv.Itoa(tracked), func(b *testing.B) {
			c := newCooldown(time.Hour, 3)
			c.tracked = tracked
			now := time.Unix(1_767_225_600, 0)
			for i := range tracked {
				c.allow("warm-"+strconv.Itoa(i), now)
			}
			users := make([]string, b.N)
			for i := range users {
				users[i] = "user-" + strconv.Itoa(i)
			}
			b.ResetTimer()
			for i := range b.N {
				now = now.Add(time.Microsecond)
				if ok, _ := c.allow(users[i], now); !ok {
					b.Fatal("a new user was refused")
				}
			}
			b.StopTimer()
			if n := c.size(); n > tracked {
				b.Fatalf("tracking %d users, bound %d", n, tracked)
			}
		})
	}
}
