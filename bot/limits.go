package bot

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// ttlSet remembers keys for a while: the IDs of events already handled, so
// that an event Discord delivers twice (around a resume) is handled once.
// It lives in memory: after a restart Discord no longer resends old events,
// and interactions older than 3 s are not answered anyway.
type ttlSet struct {
	mu  sync.Mutex
	ttl time.Duration
	max int
	m   map[string]time.Time
}

func newTTLSet(ttl time.Duration, max int) *ttlSet {
	return &ttlSet{ttl: ttl, max: max, m: map[string]time.Time{}}
}

// add records key and reports whether it was new (or expired).
func (t *ttlSet) add(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if exp, ok := t.m[key]; ok && now.Before(exp) {
		return false
	}
	if len(t.m) >= t.max {
		t.sweepLocked(now)
		if len(t.m) >= t.max {
			// Still full of live keys: forget the oldest half rather than grow.
			t.evictLocked(len(t.m) / 2)
		}
	}
	t.m[key] = now.Add(t.ttl)
	return true
}

func (t *ttlSet) sweep(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweepLocked(now)
}

func (t *ttlSet) sweepLocked(now time.Time) {
	for k, exp := range t.m {
		if !now.Before(exp) {
			delete(t.m, k)
		}
	}
}

// evictLocked forgets the n keys that expire first.
func (t *ttlSet) evictLocked(n int) {
	type entry struct {
		key string
		exp time.Time
	}
	all := make([]entry, 0, len(t.m))
	for k, exp := range t.m {
		all = append(all, entry{k, exp})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].exp.Before(all[j].exp) })
	for _, e := range all[:min(n, len(all))] {
		delete(t.m, e.key)
	}
}

// limiter enforces the per-user cooldown, the per-server concurrency and
// the per-server daily token budget. It keeps its counts in memory: a
// restart forgets cooldowns and resets the day's token usage, which errs on
// the side of answering.
type limiter struct {
	mu         sync.Mutex
	cooldown   time.Duration
	perGuild   int
	dailyLimit int
	last       map[string]time.Time // user -> when their last question was accepted
	active     map[string]int       // server -> questions being answered
	usage      map[string]dayUsage  // server -> tokens spent today
}

type dayUsage struct {
	day    string
	tokens int
}

func newLimiter(cooldown time.Duration, perGuild, dailyTokens int) *limiter {
	return &limiter{cooldown: cooldown, perGuild: perGuild, dailyLimit: dailyTokens,
		last: map[string]time.Time{}, active: map[string]int{}, usage: map[string]dayUsage{}}
}

// guildKey names the server a limit applies to; direct messages share one.
func guildKey(guildID string) string {
	if guildID == "" {
		return "dm"
	}
	return guildID
}

// admit lets a user's question in, or explains why not (in the language
// of locale). The caller must call release once the question is answered.
func (l *limiter) admit(locale discordgo.Locale, guildID, userID string, now time.Time) (release func(), err error) {
	g := guildKey(guildID)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cooldown > 0 {
		if last, ok := l.last[userID]; ok {
			if wait := last.Add(l.cooldown).Sub(now); wait > 0 {
				secs := int((wait + time.Second - 1) / time.Second)
				return nil, knowledge.Errorf(knowledge.ERATELIMIT, "%s", trCount(locale, txtCooldownOne, txtCooldownMany, secs))
			}
		}
	}
	if l.perGuild > 0 && l.active[g] >= l.perGuild {
		where := tr(locale, txtHere)
		if guildID == "" {
			where = tr(locale, txtInDMs)
		}
		return nil, knowledge.Errorf(knowledge.ERATELIMIT, "%s", trCount(locale, txtBusyOne, txtBusyMany, l.active[g], where))
	}
	l.active[g]++
	l.last[userID] = now
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.active[g]--; l.active[g] <= 0 {
				delete(l.active, g)
			}
		})
	}, nil
}

func utcDay(t time.Time) string { return t.UTC().Format("2006-01-02") }

// overBudget reports whether a server has spent today's model tokens.
func (l *limiter) overBudget(guildID string, now time.Time) bool {
	if l.dailyLimit <= 0 {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.usage[guildKey(guildID)]
	return u.day == utcDay(now) && u.tokens >= l.dailyLimit
}

// spend adds tokens to a server's usage of the day.
func (l *limiter) spend(guildID string, tokens int, now time.Time) {
	if tokens <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	g, day := guildKey(guildID), utcDay(now)
	u := l.usage[g]
	if u.day != day {
		u = dayUsage{day: day}
	}
	u.tokens += tokens
	l.usage[g] = u
}

// sweep forgets cooldowns that are over and usage of past days.
func (l *limiter) sweep(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for u, t := range l.last {
		if now.Sub(t) >= l.cooldown {
			delete(l.last, u)
		}
	}
	day := utcDay(now)
	for g, u := range l.usage {
		if u.day != day {
			delete(l.usage, g)
		}
	}
}

// sourceCache keeps each server's outlet names for /ask's source
// autocomplete, which must answer within 3 s even on a large database.
type sourceCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]cachedSources
}

type cachedSources struct {
	at      time.Time
	sources []string
}

// get returns the outlets of a scope, loading them at most once per ttl.
func (c *sourceCache) get(ctx context.Context, lib Library, guildID string, now time.Time) ([]string, error) {
	c.mu.Lock()
	if e, ok := c.m[guildID]; ok && now.Sub(e.at) < c.ttl {
		c.mu.Unlock()
		return e.sources, nil
	}
	c.mu.Unlock()
	counts, err := lib.Counts(ctx, guildID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 1000 {
		c.m = map[string]cachedSources{}
	}
	c.m[guildID] = cachedSources{at: now, sources: counts.Sources}
	return counts.Sources, nil
}

// matchPrefix returns up to max names that start with (then contain) the
// typed text, case-insensitively.
func matchPrefix(names []string, typed string, max int) []string {
	typed = strings.ToLower(strings.TrimSpace(typed))
	var first, then []string
	for _, n := range names {
		ln := strings.ToLower(n)
		switch {
		case strings.HasPrefix(ln, typed):
			first = append(first, n)
		case strings.Contains(ln, typed):
			then = append(then, n)
		}
	}
	out := append(first, then...)
	if len(out) > max {
		out = out[:max]
	}
	return out
}
